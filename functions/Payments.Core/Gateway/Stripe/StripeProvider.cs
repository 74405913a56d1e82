using System.Text;
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

            var occurredAt = reader.UnixTime(root, "created");
            PaymentEvent Build(PaymentEventKind kind, string paymentIdPath, string amountPath)
            {
                var paymentId = reader.Identifier(root, paymentIdPath);
                var orderId = reader.Identifier(root, "data.object.metadata.order_id");
                var amount = reader.AmountMinor(root, amountPath);
                var currency = reader.Currency(root, "data.object.currency");
                return new PaymentEvent(Name, eventId, kind, paymentId, orderId, amount, currency, occurredAt);
            }

            var paymentEvent = type switch
            {
                "payment_intent.succeeded" => Build(PaymentEventKind.Succeeded, "data.object.id", "data.object.amount_received"),
                "payment_intent.payment_failed" => Build(PaymentEventKind.Failed, "data.object.id", "data.object.amount"),
                "charge.refunded" => Build(PaymentEventKind.Refunded, "data.object.payment_intent", "data.object.amount_refunded"),
                _ => null,
            };
            if (paymentEvent is null)
            {
                return new ParseOutcome.Ignored(eventId, type);
            }
            return reader.HasErrors ? new ParseOutcome.Invalid(reader.Errors) : new ParseOutcome.Parsed(paymentEvent);
        }
    }

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
