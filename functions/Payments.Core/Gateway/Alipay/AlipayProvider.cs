using System.Globalization;
using System.Security.Cryptography;
using Payments.Contracts;

namespace Payments.Gateway.Alipay;

/// <summary>
/// Alipay's asynchronous notifications: a form-urlencoded POST whose <c>sign</c> is RSA2 over the
/// sorted non-empty parameters (<see cref="AlipaySignature"/>), verified with Alipay's public key.
/// The payment id is the merchant's <c>out_trade_no</c>; the order id travels in the trade's
/// <c>body</c>; <c>notify_id</c>, the same on every redelivery, is the event id. Alipay wants the
/// literal <c>success</c> back and retries anything else for about 25 hours.
/// </summary>
public sealed class AlipayProvider : IWebhookProvider
{
    public const string ProviderName = "alipay";

    /// <summary>Alipay redelivers after 4 m, 10 m, 10 m, 1 h, 2 h, 6 h and 15 h: 24 h 24 m after the first try; a little more for its own queueing.</summary>
    public static readonly TimeSpan RetryHorizon = TimeSpan.FromHours(25);

    private const string Rsa2 = "RSA2";

    private readonly IReadOnlyList<RSA> alipayKeys;
    private readonly string appId;
    private readonly string? sellerId;

    public AlipayProvider(IReadOnlyList<RSA> alipayKeys, string appId, string? sellerId)
    {
        if (alipayKeys.Count == 0)
        {
            throw new ArgumentException("At least one Alipay public key is required.", nameof(alipayKeys));
        }
        this.alipayKeys = alipayKeys;
        this.appId = appId;
        this.sellerId = string.IsNullOrWhiteSpace(sellerId) ? null : sellerId;
    }

    public string Name => ProviderName;

    // Everything Alipay signs is in the body.
    public IReadOnlyList<string> SignatureHeaders { get; } = [];

    public WebhookAcknowledgement Acknowledgement { get; } = new(200, "text/plain", "success");

    public bool Verify(WebhookRequest request, DateTimeOffset now)
    {
        if (AlipayForm.Parse(request.Body) is not { } fields
            || (fields.TryGetValue(AlipaySignature.SignTypeField, out var signType) && signType != Rsa2))
        {
            return false;
        }
        // Alipay's SDKs verify over the content encoded in the notification's own charset (GBK is the .NET SDK's default).
        var content = AlipayForm.CharsetOf(fields).GetBytes(AlipaySignature.NotificationContent(fields));
        return AlipaySignature.Verify(alipayKeys, content, fields.GetValueOrDefault(AlipaySignature.SignField));
    }

    public ParseOutcome Parse(WebhookRequest request)
    {
        if (AlipayForm.Parse(request.Body) is not { } fields)
        {
            return new ParseOutcome.Invalid(["body: not a form-urlencoded Alipay notification."]);
        }
        var errors = new List<string>();
        string Identifier(string field)
        {
            if (fields.GetValueOrDefault(field) is { } value && PayloadReader.IsIdentifier(value))
            {
                return value;
            }
            errors.Add($"{field}: required, 1-128 characters of letters, digits, '_', '-', ':' or '.'.");
            return "";
        }
        // An order or payment id: what the order API accepts, as it reaches Table keys.
        string Id(string field)
        {
            if (fields.GetValueOrDefault(field) is { } value && OrderRequest.IsId(value))
            {
                return value;
            }
            errors.Add($"{field}: {PayloadReader.IdRule}");
            return "";
        }
        long Fen(string field)
        {
            if (AlipayAmount.ToFen(fields.GetValueOrDefault(field)) is { } fen)
            {
                return fen;
            }
            errors.Add($"{field}: required amount in yuan with at most two decimals.");
            return 0;
        }

        var eventId = Identifier("notify_id");
        if (fields.GetValueOrDefault("app_id") != appId)
        {
            errors.Add("app_id: not this connector's app.");
        }
        if (sellerId is not null && fields.GetValueOrDefault("seller_id") != sellerId)
        {
            errors.Add("seller_id: not this connector's seller.");
        }
        var status = fields.GetValueOrDefault("trade_status") ?? "";
        if (status.Length == 0)
        {
            errors.Add("trade_status: required.");
        }
        if (errors.Count > 0)
        {
            return new ParseOutcome.Invalid(errors);
        }

        // A refund is notified with the trade's status after it (TRADE_SUCCESS while partly refunded,
        // TRADE_CLOSED once fully), the refunded total in refund_fee (not this refund's amount) and the
        // refund's out_request_no in out_biz_no.
        var refunded = IsRefund(fields);
        PaymentEventKind? kind = (status, refunded) switch
        {
            (_, true) => PaymentEventKind.Refunded,
            ("TRADE_SUCCESS" or "TRADE_FINISHED", false) => PaymentEventKind.Succeeded,
            _ => null, // TRADE_CLOSED unpaid (the saga closes trades itself), WAIT_BUYER_PAY
        };
        if (kind is null)
        {
            return new ParseOutcome.Ignored(eventId, status);
        }
        var paymentId = Id("out_trade_no");
        var orderId = Id("body");
        var amount = Fen(kind == PaymentEventKind.Refunded ? "refund_fee" : "total_amount");
        var occurredAt = Time(fields, kind == PaymentEventKind.Refunded ? "gmt_refund" : "gmt_payment", errors);
        return errors.Count > 0
            ? new ParseOutcome.Invalid(errors)
            : new ParseOutcome.Parsed(new PaymentEvent(Name, eventId, kind.Value, paymentId, orderId, amount, AlipayAmount.Currency, occurredAt,
                RefundId: kind == PaymentEventKind.Refunded && fields.GetValueOrDefault("out_biz_no") is { Length: > 0 } refundNo ? refundNo : null,
                AmountIsRefundedTotal: kind == PaymentEventKind.Refunded));
    }

    /// <summary>
    /// Whether the notification's refund fields say money went back: a refund_fee that is not zero (or
    /// not an amount at all, which the parse then refuses), or the refund's time or request number.
    /// A payment's notification may carry refund_fee=0.00 (Alipay's documented sample does): that is no refund.
    /// </summary>
    public static bool IsRefund(IReadOnlyDictionary<string, string> fields) =>
        (fields.GetValueOrDefault("refund_fee") is { Length: > 0 } fee && AlipayAmount.ToFen(fee) is not 0)
        || !string.IsNullOrEmpty(fields.GetValueOrDefault("gmt_refund"))
        || !string.IsNullOrEmpty(fields.GetValueOrDefault("out_biz_no"));

    /// <summary>Alipay's times are China Standard Time (UTC+8) without a zone: <c>yyyy-MM-dd HH:mm:ss</c>, refunds' with milliseconds.</summary>
    public static DateTimeOffset? ChinaTime(string? text) =>
        DateTime.TryParseExact(text?.Trim(), ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.fff"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, ChinaOffset)
            : null;

    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private static DateTimeOffset Time(IReadOnlyDictionary<string, string> fields, string preferred, List<string> errors)
    {
        // gmt_payment / gmt_refund when present (Alipay may leave them out), else when Alipay notified.
        if ((ChinaTime(fields.GetValueOrDefault(preferred)) ?? ChinaTime(fields.GetValueOrDefault("notify_time"))) is { } time)
        {
            return time;
        }
        errors.Add("notify_time: required, yyyy-MM-dd HH:mm:ss.");
        return default;
    }
}
