using System.Text;
using System.Text.Json;
using Payments.Contracts;

namespace Payments.Gateway.Stripe;

/// <summary>
/// Stripe webhooks: <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256("{t}.{body}")&gt;[,v1=…]</c> and Stripe's
/// event JSON. The order id travels in the payment intent's (or charge's) <c>metadata.order_id</c>.
/// </summary>
public sealed class StripeProvider : IWebhookProvider
{
    public const string ProviderName = "stripe";
    private const string SignatureHeader = "Stripe-Signature";
    private const string SecretPrefix = "whsec_";

    /// <summary>Stripe retries an unacknowledged live-mode event for up to 3 days.</summary>
    public static readonly TimeSpan RetryHorizon = TimeSpan.FromDays(3);

    private readonly IReadOnlyList<byte[]> keys;
    private readonly TimeSpan tolerance;

    public StripeProvider(IEnumerable<string> secrets, TimeSpan tolerance)
    {
        keys = secrets.Select(Encoding.UTF8.GetBytes).ToArray();
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one Stripe endpoint secret is required.", nameof(secrets));
        }
        this.tolerance = tolerance;
    }

    public string Name => ProviderName;

    public IReadOnlyList<string> SignatureHeaders { get; } = [SignatureHeader];

    public WebhookAcknowledgement Acknowledgement => WebhookAcknowledgement.JsonReceived;

    public bool Verify(WebhookRequest request, DateTimeOffset now)
    {
        var header = request.Header(SignatureHeader);
        if (header is null)
        {
            return false;
        }
        string? timestamp = null;
        var presented = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal))
            {
                timestamp = part[2..];
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal) && TryHex(part[3..]) is { } signature)
            {
                presented.Add(signature);
            }
        }
        if (!long.TryParse(timestamp, out var seconds) || !SignatureCheck.IsWithin(seconds, now, tolerance) || presented.Count == 0)
        {
            return false;
        }

        var signedPayload = Encoding.UTF8.GetBytes($"{timestamp}.").Concat(request.Body).ToArray();
        return SignatureCheck.AnyKeyMatches(keys, signedPayload, presented);
    }

    /// <summary>
    /// Snapshot events (<c>"object": "event"</c>) of the one API version whose payloads this parser was
    /// written and tested against, the version Stripe.net pins for the connector's outbound calls. The
    /// webhook endpoint must be created with it (README). Any other version, and thin events (API v2
    /// event notifications, which carry no object), are parked for an operator instead of being read:
    /// Stripe renders an event once, with the endpoint's version, so a retry would never read better.
    /// </summary>
    public const string SupportedApiVersion = "2026-10-28.endive";

    public ParseOutcome Parse(WebhookRequest request)
    {
        if (!PayloadReader.TryParse(request.Body, out var document))
        {
            return new ParseOutcome.Invalid(["body: not a JSON object."]);
        }
        using (document)
        {
            var root = document!.RootElement;
            var reader = new PayloadReader();
            var eventId = reader.Identifier(root, "id");
            var type = reader.Text(root, "type");
            if (reader.HasErrors)
            {
                return new ParseOutcome.Invalid(reader.Errors);
            }
            var shape = reader.Find(root, "object") is { ValueKind: JsonValueKind.String } o ? o.GetString() : null;
            if (shape != "event")
            {
                return new ParseOutcome.Parked(eventId, type,
                    $"not a snapshot event (object '{Printable(shape)}'): thin events (API v2 event notifications) are not read; send snapshot events of API version {SupportedApiVersion}.");
            }
            var kind = type switch
            {
                "payment_intent.succeeded" => PaymentEventKind.Succeeded,
                "payment_intent.payment_failed" => PaymentEventKind.Failed,
                "payment_intent.canceled" => PaymentEventKind.Closed,
                "charge.refunded" or "charge.refund.updated" => PaymentEventKind.Refunded,
                _ => (PaymentEventKind?)null,
            };
            var dispute = StripeDisputeEvent.Is(type);
            if (kind is null && !dispute)
            {
                return new ParseOutcome.Ignored(eventId, type);
            }
            var version = reader.Find(root, "api_version") is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
            if (version != SupportedApiVersion)
            {
                return new ParseOutcome.Parked(eventId, type, $"api_version '{Printable(version)}' is not the supported {SupportedApiVersion}: not read.");
            }
            if (dispute)
            {
                return StripeDisputeEvent.Parse(root, eventId, type);
            }
            // A Refund object (charge.refund.updated) made in the Dashboard has no metadata (Stripe does not copy
            // the PaymentIntent's): it names its payment, and intake finds the order by that payment's capture.
            var refundObject = type == "charge.refund.updated";
            var orderId = reader.Find(root, "data.object.metadata.order_id") is { ValueKind: JsonValueKind.String } order && !string.IsNullOrEmpty(order.GetString())
                ? order.GetString()!
                : null;
            if (orderId is null && !refundObject)
            {
                return new ParseOutcome.Parked(eventId, type, "no metadata.order_id: the payment names no order of this pipeline.");
            }
            if (orderId is not null && !OrderRequest.IsId(orderId))
            {
                // Parked or applied, it would reach a Table key; no order of this pipeline has such an id.
                return new ParseOutcome.Invalid([$"data.object.metadata.order_id: {PayloadReader.IdRule}"]);
            }
            if (refundObject && reader.Text(root, "data.object.status") is var status and not "succeeded")
            {
                // A refund that failed or was canceled after Stripe accepted it: the money did not go back.
                if (status is not ("failed" or "canceled"))
                {
                    return new ParseOutcome.Ignored(eventId, type);
                }
                // A refund notice like any other: the money ledger knows the refund and parks it once, with the
                // retry under its own next key (an after-sales refund keeps its request's key).
                kind = PaymentEventKind.RefundFailed;
            }

            var occurredAt = reader.UnixTime(root, "created");
            var (paymentIdPath, amountPath) = type switch
            {
                "payment_intent.succeeded" => ("data.object.id", "data.object.amount_received"),
                "payment_intent.payment_failed" or "payment_intent.canceled" => ("data.object.id", "data.object.amount"),
                "charge.refunded" => ("data.object.payment_intent", "data.object.amount_refunded"),
                // charge.refund.updated carries the Refund itself.
                _ => ("data.object.payment_intent", "data.object.amount"),
            };
            var paymentEvent = new PaymentEvent(Name, eventId, kind!.Value, reader.Id(root, paymentIdPath),
                orderId is null ? "" : reader.Id(root, "data.object.metadata.order_id"), reader.AmountMinor(root, amountPath),
                reader.Currency(root, "data.object.currency"), occurredAt, refundObject ? reader.Identifier(root, "data.object.id") : null);
            return reader.HasErrors ? new ParseOutcome.Invalid(reader.Errors) : new ParseOutcome.Parsed(paymentEvent);
        }
    }

    // What the gateway sent, for an operator's reason: short and printable, never more of the payload.
    private static string Printable(string? value) =>
        value is null ? "none" : new string([.. value.Take(40).Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')]);

    /// <summary>Why a configured secret is not a Stripe endpoint secret (<c>whsec_…</c>), or null when it is.</summary>
    public static string? SecretFormatError(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal) && secret.Length >= SecretPrefix.Length + 16 && secret.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? null
            : "expected a Stripe endpoint secret: 'whsec_' followed by at least 16 letters or digits.";

    private static byte[]? TryHex(string value)
    {
        try
        {
            return value.Length == 64 ? Convert.FromHexString(value) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
