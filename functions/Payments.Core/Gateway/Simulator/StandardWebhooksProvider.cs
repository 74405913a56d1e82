using System.Text;
using System.Text.Json;
using Payments.Contracts;

namespace Payments.Gateway.Simulator;

/// <summary>
/// The Standard Webhooks scheme (standardwebhooks.com): <c>webhook-signature: v1,&lt;base64 HMAC-SHA256("{id}.{ts}.{body}")&gt;</c>
/// keyed by the base64 part of a <c>whsec_</c> secret. The webhook id is the event id.
/// </summary>
public sealed class StandardWebhooksProvider : IWebhookProvider
{
    public const string ProviderName = "standard";
    private const string IdHeader = "webhook-id";
    private const string TimestampHeader = "webhook-timestamp";
    private const string SignatureHeader = "webhook-signature";
    private const string SecretPrefix = "whsec_";

    /// <summary>The specification's suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first try.</summary>
    public static readonly TimeSpan RetryHorizon = new(1, 3, 35, 5);

    private readonly IReadOnlyList<byte[]> keys;
    private readonly TimeSpan tolerance;

    public StandardWebhooksProvider(IEnumerable<string> secrets, TimeSpan tolerance)
    {
        keys = secrets.Select(DecodeSecret).ToArray();
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one Standard Webhooks secret is required.", nameof(secrets));
        }
        this.tolerance = tolerance;
    }

    public string Name => ProviderName;

    public IReadOnlyList<string> SignatureHeaders { get; } = [IdHeader, TimestampHeader, SignatureHeader];

    public WebhookAcknowledgement Acknowledgement => WebhookAcknowledgement.JsonReceived;

    public bool Verify(WebhookRequest request, DateTimeOffset now)
    {
        var id = request.Header(IdHeader);
        var timestamp = request.Header(TimestampHeader);
        var signatures = request.Header(SignatureHeader);
        if (!PayloadReader.IsIdentifier(id) || signatures is null
            || !long.TryParse(timestamp, out var seconds)
            || !SignatureCheck.IsWithin(seconds, now, tolerance))
        {
            return false;
        }

        var signedContent = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(request.Body).ToArray();
        var presented = signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Select(s => TryBase64(s[3..]))
            .OfType<byte[]>()
            .ToArray();
        return SignatureCheck.AnyKeyMatches(keys, signedContent, presented);
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
            var eventId = request.Header(IdHeader)!;
            var type = reader.Text(root, "type");
            if (reader.HasErrors)
            {
                return new ParseOutcome.Invalid(reader.Errors);
            }
            PaymentEventKind? kind = type switch
            {
                "payment.succeeded" => PaymentEventKind.Succeeded,
                "payment.failed" => PaymentEventKind.Failed,
                "payment.refunded" => PaymentEventKind.Refunded,
                "refund.failed" => PaymentEventKind.RefundFailed,
                _ => null,
            };
            if (kind is null)
            {
                return new ParseOutcome.Ignored(eventId, type);
            }

            var occurredAt = reader.IsoTime(root, "timestamp");
            var paymentId = reader.Id(root, "data.payment_id");
            var orderId = reader.Id(root, "data.order_id");
            var amount = reader.AmountMinor(root, "data.amount");
            var currency = reader.Currency(root, "data.currency");
            var refundId = reader.Find(root, "data.refund_id") is { ValueKind: JsonValueKind.String } ? reader.Identifier(root, "data.refund_id") : null;
            return reader.HasErrors
                ? new ParseOutcome.Invalid(reader.Errors)
                : new ParseOutcome.Parsed(new PaymentEvent(Name, eventId, kind.Value, paymentId, orderId, amount, currency, occurredAt, refundId));
        }
    }

    /// <summary>
    /// Why a configured secret is not a Standard Webhooks secret, or null when it is: <c>whsec_</c>
    /// and the base64 of a 24 to 64 byte key, as the specification asks of senders.
    /// </summary>
    public static string? SecretFormatError(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal) && TryBase64(secret[SecretPrefix.Length..]) is { Length: >= 24 and <= 64 }
            ? null
            : "expected 'whsec_' followed by the base64 of a 24 to 64 byte key.";

    private static byte[] DecodeSecret(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return TryBase64(encoded) is { Length: > 0 } key
            ? key
            : throw new ArgumentException("A Standard Webhooks secret must be 'whsec_' followed by base64.");
    }

    private static byte[]? TryBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? buffer[..written] : null;
    }
}
