using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Contracts;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// WeChat Pay API v3 notifications: signed by WeChat Pay (<c>Wechatpay-Signature</c> over
/// <c>timestamp\nnonce\nbody\n</c>, SHA256withRSA with the platform key named by <c>Wechatpay-Serial</c>),
/// the payload encrypted in <c>resource</c> with the APIv3 key (AEAD_AES_256_GCM). The notification
/// <c>id</c> is the event id (WeChat Pay resends the same notification with the same id).
/// <para>
/// <c>TRANSACTION.SUCCESS</c> is a success of payment <c>out_trade_no</c>, for the order named in
/// <c>attach</c> (the merchant data the order service sets when it creates the payment), or
/// <c>out_trade_no</c> itself when the merchant uses its order ids as payment numbers.
/// <c>REFUND.*</c> notifications are acknowledged and kept but not applied: they carry neither
/// <c>attach</c> nor a currency, and the pipeline learns a refund's fate from the refund call's own
/// answer and from the trade bill.
/// </para>
/// </summary>
public sealed class WeChatPayProvider : IWebhookProvider
{
    public const string ProviderName = "wechatpay";
    public const string TimestampHeader = "Wechatpay-Timestamp";
    public const string NonceHeader = "Wechatpay-Nonce";
    public const string SignatureHeader = "Wechatpay-Signature";
    public const string SerialHeader = "Wechatpay-Serial";
    private const string SignatureTypeHeader = "Wechatpay-Signature-Type";
    private const int TagBytes = 16;

    /// <summary>WeChat Pay's schedule: 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h — 24 h 4 min in all.</summary>
    public static readonly TimeSpan RetryHorizon = new(24, 4, 0);

    /// <summary>WeChat Pay needs 200 or 204 and no body.</summary>
    public static readonly WebhookAcknowledgement Success = new(204, "", "");

    private readonly PlatformKeyring platform;
    private readonly IReadOnlyList<byte[]> apiV3Keys;
    private readonly string merchantId;
    private readonly TimeSpan tolerance;

    public WeChatPayProvider(PlatformKeyring platform, IEnumerable<string> apiV3Keys, string merchantId, TimeSpan tolerance)
    {
        this.platform = platform;
        this.apiV3Keys = apiV3Keys.Select(Encoding.UTF8.GetBytes).ToArray();
        if (this.apiV3Keys.Count == 0 || this.apiV3Keys.Any(k => k.Length != 32))
        {
            throw new ArgumentException("At least one APIv3 key of 32 bytes is required.", nameof(apiV3Keys));
        }
        this.merchantId = merchantId;
        this.tolerance = tolerance;
    }

    public string Name => ProviderName;

    public IReadOnlyList<string> SignatureHeaders { get; } = [TimestampHeader, NonceHeader, SignatureHeader, SerialHeader, SignatureTypeHeader];

    public WebhookAcknowledgement Acknowledgement => Success;

    /// <summary>WeChat Pay's failure body: <c>{"code":"FAIL","message":…}</c>; the status code is what makes it retry.</summary>
    public WebhookAcknowledgement? Refusal(int statusCode, string message) =>
        new(statusCode, "application/json", JsonSerializer.Serialize(new { code = "FAIL", message }));

    public bool Verify(WebhookRequest request, DateTimeOffset now)
    {
        var timestamp = request.Header(TimestampHeader);
        var nonce = request.Header(NonceHeader);
        var serial = request.Header(SerialHeader);
        var signature = request.Header(SignatureHeader);
        if (timestamp is null || string.IsNullOrEmpty(nonce) || serial is null || signature is null
            || request.Header(SignatureTypeHeader) is { } type && type != WeChatPaySignature.Scheme
            || !long.TryParse(timestamp, out var seconds) || !SignatureCheck.IsWithin(seconds, now, tolerance)
            || !platform.Knows(serial) || TryBase64(signature) is not { } presented)
        {
            return false;
        }
        return platform.Verify(serial, WeChatPaySignature.ResponseMessage(timestamp, nonce, request.Body), presented);
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
            var type = reader.Text(root, "event_type");
            var createdAt = reader.IsoTime(root, "create_time");
            if (reader.HasErrors)
            {
                return new ParseOutcome.Invalid(reader.Errors);
            }
            // Every resource is decrypted, kept or not: a wrong APIv3 key shows on the first notification.
            var errors = new List<string>();
            if (Decrypt(root, new PayloadReader(), errors) is not { } plaintext)
            {
                return new ParseOutcome.Invalid(errors);
            }
            var refund = type is "REFUND.SUCCESS" or "REFUND.ABNORMAL" or "REFUND.CLOSED";
            if (type != "TRANSACTION.SUCCESS" && !refund)
            {
                // Anything newer: stored, acknowledged, not applied.
                return new ParseOutcome.Ignored(eventId, type);
            }
            if (!PayloadReader.TryParse(plaintext, out var decrypted))
            {
                return new ParseOutcome.Invalid(["resource: the decrypted resource is not a JSON object."]);
            }
            using (decrypted)
            {
                return refund
                    ? ParseRefund(decrypted!.RootElement, reader, eventId, type, createdAt)
                    : ParseTransaction(decrypted!.RootElement, reader, eventId, createdAt);
            }
        }
    }

    /// <summary>
    /// AEAD_AES_256_GCM under the APIv3 key: <c>ciphertext</c> is base64 of the ciphertext followed by
    /// the 16-byte tag; <c>nonce</c> and <c>associated_data</c> are used as their UTF-8 bytes. Null
    /// when no configured key authenticates it (or the parts are malformed).
    /// </summary>
    public byte[]? Decrypt(string nonce, string associatedData, string ciphertextBase64)
    {
        var sealedBytes = TryBase64(ciphertextBase64);
        var nonceBytes = Encoding.UTF8.GetBytes(nonce);
        if (sealedBytes is null || sealedBytes.Length < TagBytes || nonceBytes.Length != AesGcm.NonceByteSizes.MaxSize)
        {
            return null;
        }
        var ciphertext = sealedBytes.AsSpan(0, sealedBytes.Length - TagBytes);
        var tag = sealedBytes.AsSpan(sealedBytes.Length - TagBytes);
        var plaintext = new byte[ciphertext.Length];
        foreach (var key in apiV3Keys)
        {
            using var aes = new AesGcm(key, TagBytes);
            try
            {
                aes.Decrypt(nonceBytes, ciphertext, tag, plaintext, Encoding.UTF8.GetBytes(associatedData));
                return plaintext;
            }
            catch (AuthenticationTagMismatchException)
            {
                // Perhaps encrypted under the other key while the APIv3 key is being changed.
            }
        }
        return null;
    }

    private byte[]? Decrypt(JsonElement root, PayloadReader reader, List<string> errors)
    {
        var algorithm = reader.Text(root, "resource.algorithm");
        var ciphertext = reader.Text(root, "resource.ciphertext");
        var nonce = reader.Text(root, "resource.nonce");
        errors.AddRange(reader.Errors);
        // associated_data may be empty, but must be there: it is part of what the tag authenticates.
        if (reader.Find(root, "resource.associated_data") is not { ValueKind: JsonValueKind.String } associatedData)
        {
            errors.Add("resource.associated_data: required string.");
            return null;
        }
        if (errors.Count > 0)
        {
            return null;
        }
        if (algorithm != "AEAD_AES_256_GCM")
        {
            errors.Add("resource.algorithm: expected AEAD_AES_256_GCM.");
            return null;
        }
        var plaintext = Decrypt(nonce, associatedData.GetString()!, ciphertext);
        if (plaintext is null)
        {
            errors.Add("resource: cannot be decrypted: the tag does not match under the APIv3 key (wrong key, nonce or associated_data).");
        }
        return plaintext;
    }

    private ParseOutcome ParseTransaction(JsonElement transaction, PayloadReader reader, string eventId, DateTimeOffset createdAt)
    {
        var paymentId = reader.Id(transaction, "out_trade_no");
        reader.Identifier(transaction, "transaction_id");
        var state = reader.Text(transaction, "trade_state");
        var mchid = reader.Text(transaction, "mchid");
        var amount = reader.AmountMinor(transaction, "amount.total");
        var currency = reader.Currency(transaction, "amount.currency");
        var orderId = reader.Find(transaction, "attach") is { ValueKind: JsonValueKind.String } attach && OrderRequest.IsId(attach.GetString())
            ? attach.GetString()!
            : paymentId;
        var occurredAt = reader.Find(transaction, "success_time") is { ValueKind: JsonValueKind.String } ? reader.IsoTime(transaction, "success_time") : createdAt;
        var errors = reader.Errors.ToList();
        if (mchid.Length > 0 && mchid != merchantId)
        {
            errors.Add("mchid: not this merchant's id.");
        }
        if (state.Length > 0 && state != "SUCCESS")
        {
            errors.Add("trade_state: a TRANSACTION.SUCCESS notification must say SUCCESS.");
        }
        return errors.Count > 0
            ? new ParseOutcome.Invalid(errors)
            : new ParseOutcome.Parsed(new PaymentEvent(Name, eventId, PaymentEventKind.Succeeded, paymentId, orderId, amount, currency, occurredAt));
    }

    /// <summary>
    /// A refund's end: REFUND.SUCCESS paid, REFUND.ABNORMAL (e.g. the payer's card closed) and REFUND.CLOSED
    /// not. The resource names the payment (<c>out_trade_no</c>) and the refund (<c>refund_id</c>), not the
    /// order and not a currency (domestic refunds are CNY): intake finds the order by the payment's capture.
    /// </summary>
    private ParseOutcome ParseRefund(JsonElement refund, PayloadReader reader, string eventId, string type, DateTimeOffset createdAt)
    {
        var paymentId = reader.Id(refund, "out_trade_no");
        var refundId = reader.Identifier(refund, "refund_id");
        var mchid = reader.Text(refund, "mchid");
        var amount = reader.AmountMinor(refund, "amount.refund");
        var occurredAt = reader.Find(refund, "success_time") is { ValueKind: JsonValueKind.String } ? reader.IsoTime(refund, "success_time") : createdAt;
        var errors = reader.Errors.ToList();
        if (mchid.Length > 0 && mchid != merchantId)
        {
            errors.Add("mchid: not this merchant's id.");
        }
        var kind = type == "REFUND.SUCCESS" ? PaymentEventKind.Refunded : PaymentEventKind.RefundFailed;
        return errors.Count > 0
            ? new ParseOutcome.Invalid(errors)
            : new ParseOutcome.Parsed(new PaymentEvent(Name, eventId, kind, paymentId, "", amount, "CNY", occurredAt, refundId));
    }

    private static byte[]? TryBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? buffer[..written] : null;
    }
}
