using System.Text;
using System.Text.Json;
using Payments.Contracts;

namespace Payments.Gateway.Adyen;

/// <summary>
/// Adyen's standard webhooks: a JSON batch (<c>notificationItems</c>) whose items are each signed on
/// their own — base64 HMAC-SHA256, keyed by the hex HMAC key, over
/// <c>pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success</c>
/// (a missing field is empty), in <c>additionalData.hmacSignature</c>. Intake verifies, parses and
/// stores each item as its own callback, keyed by pspReference and eventCode. Adyen wants
/// <c>[accepted]</c> back.
/// </summary>
public sealed class AdyenProvider : IWebhookProvider
{
    public const string ProviderName = "adyen";

    /// <summary>Adyen retries three times at once, then on a growing schedule for up to 30 days.</summary>
    public static readonly TimeSpan RetryHorizon = TimeSpan.FromDays(30);

    private const string ItemProperty = "NotificationRequestItem";

    private readonly IReadOnlyList<byte[]> keys;
    private readonly IReadOnlySet<string> merchantAccounts;
    private readonly AdyenCaptureMode captureMode;

    public AdyenProvider(IEnumerable<string> hexKeys, IEnumerable<string> merchantAccounts, AdyenCaptureMode captureMode = AdyenCaptureMode.Immediate)
    {
        this.captureMode = captureMode;
        keys = hexKeys.Select(Convert.FromHexString).ToArray();
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one Adyen HMAC key is required.", nameof(hexKeys));
        }
        this.merchantAccounts = merchantAccounts.ToHashSet(StringComparer.Ordinal);
    }

    public string Name => ProviderName;

    // Every item carries its own signature in its body.
    public IReadOnlyList<string> SignatureHeaders { get; } = [];

    public WebhookAcknowledgement Acknowledgement { get; } = new(200, "text/plain", "[accepted]");

    /// <summary>A one-item batch around the stored item's bytes, untouched, so its signature still holds.</summary>
    public byte[] RequestBody(byte[] storedBody) =>
    [
        .. Encoding.UTF8.GetBytes($"{{\"live\":\"false\",\"notificationItems\":[{{\"{ItemProperty}\":"),
        .. storedBody,
        .. "}]}"u8,
    ];

    /// <summary>Each <c>NotificationRequestItem</c> exactly as it appears in the batch, so it can be verified again later.</summary>
    public IReadOnlyList<WebhookRequest>? Items(WebhookRequest request)
    {
        if (!PayloadReader.TryParse(request.Body, out var document))
        {
            return null;
        }
        using (document)
        {
            if (!document!.RootElement.TryGetProperty("notificationItems", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
            {
                return null;
            }
            var requests = new List<WebhookRequest>();
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(ItemProperty, out var notification) || notification.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
                requests.Add(request with { Body = Encoding.UTF8.GetBytes(notification.GetRawText()) });
            }
            return requests;
        }
    }

    public bool Verify(WebhookRequest request, DateTimeOffset now)
    {
        if (!PayloadReader.TryParse(request.Body, out var document))
        {
            return false;
        }
        using (document)
        {
            var item = document!.RootElement;
            var reader = new PayloadReader();
            if (reader.Find(item, "additionalData.hmacSignature") is not { ValueKind: JsonValueKind.String } signature
                || TryBase64(signature.GetString()!) is not { } presented)
            {
                return false;
            }
            return SignatureCheck.AnyKeyMatches(keys, Encoding.UTF8.GetBytes(SignedContent(item)), [presented]);
        }
    }

    public ParseOutcome Parse(WebhookRequest request)
    {
        if (!PayloadReader.TryParse(request.Body, out var document))
        {
            return new ParseOutcome.Invalid(["NotificationRequestItem: not a JSON object."]);
        }
        using (document)
        {
            var item = document!.RootElement;
            var reader = new PayloadReader();
            var pspReference = reader.Identifier(item, "pspReference");
            var eventCode = reader.Identifier(item, "eventCode");
            var account = reader.Text(item, "merchantAccountCode");
            if (!reader.HasErrors && !merchantAccounts.Contains(account))
            {
                return new ParseOutcome.Invalid(["merchantAccountCode: not a merchant account of this deployment."]);
            }
            if (reader.HasErrors)
            {
                return new ParseOutcome.Invalid(reader.Errors);
            }
            var success = Field(item, "success") == "true";
            // Adyen may send one pspReference and eventCode again with another outcome (an authorisation
            // that failed, then succeeded): the outcome is part of the event's identity, or the later one
            // would be absorbed as a duplicate of the first.
            var eventId = $"{pspReference}:{eventCode}:{(success ? "true" : "false")}";
            var meaning = Meaning(eventCode, success, reader.Find(item, "additionalData") is { ValueKind: JsonValueKind.Object } extra
                && extra.TryGetProperty("modification.action", out var action) && action.ValueKind == JsonValueKind.String ? action.GetString() : null);
            switch (meaning)
            {
                case null:
                    return new ParseOutcome.Ignored(eventId, success ? eventCode : $"{eventCode}:failed");
                case ItemMeaning.Park park:
                    return new ParseOutcome.Parked(eventId, eventCode, park.Reason, Field(item, "merchantReference") is var reference && OrderRequest.IsId(reference) ? reference : null);
            }
            var applied = (ItemMeaning.Apply)meaning;
            var orderId = reader.Id(item, "merchantReference");
            var paymentId = reader.Id(item, applied.PaymentIdPath);
            var amount = reader.AmountMinor(item, "amount.value");
            var currency = reader.Currency(item, "amount.currency");
            var occurredAt = reader.IsoTime(item, "eventDate");
            var paymentEvent = new PaymentEvent(Name, eventId, applied.Kind, paymentId, orderId, amount, currency, occurredAt);
            // A refund's and a dispute's own pspReference names the movement (every event of one dispute shares it).
            paymentEvent = paymentEvent.IsRefundNotice ? paymentEvent with { RefundId = pspReference }
                : paymentEvent.IsDisputeNotice ? paymentEvent with { DisputeId = pspReference }
                : paymentEvent;
            return reader.HasErrors ? new ParseOutcome.Invalid(reader.Errors) : new ParseOutcome.Parsed(paymentEvent);
        }
    }

    /// <summary>
    /// What an item means for the pipeline, by its event code, outcome and (for CANCEL_OR_REFUND) what the
    /// modification did; null for an item the pipeline does not act on (kept as ignored).
    /// </summary>
    /// <remarks>
    /// With immediate capture an AUTHORISATION success is the money; with delayed capture it is only an
    /// authorisation, and the money moves on CAPTURE (its own pspReference; the payment is its
    /// originalReference). A capture that failed leaves an order that may look paid with no money behind
    /// it: parked for an operator in either mode. A modification (cancel, refund, cancel-or-refund) and
    /// a dispute name the payment as their originalReference.
    /// </remarks>
    private ItemMeaning? Meaning(string eventCode, bool success, string? modificationAction) => (eventCode, success) switch
    {
        ("AUTHORISATION", true) => captureMode == AdyenCaptureMode.Immediate ? new ItemMeaning.Apply(PaymentEventKind.Succeeded, "pspReference") : null,
        ("AUTHORISATION", false) => new ItemMeaning.Apply(PaymentEventKind.Failed, "pspReference"),
        ("CAPTURE", true) => captureMode == AdyenCaptureMode.Delayed ? new ItemMeaning.Apply(PaymentEventKind.Succeeded, "originalReference") : null,
        ("CAPTURE", false) when captureMode == AdyenCaptureMode.Delayed =>
            new ItemMeaning.Park("Adyen refused the capture: the authorised money did not move; capture it again in the Customer Area or cancel the order."),
        ("CAPTURE_FAILED", _) => new ItemMeaning.Park("the capture failed after Adyen accepted it (CAPTURE_FAILED): the money did not move, though the order may show paid; "
            + "capture again in the Customer Area, or refund the goods' value from the customer."),
        ("CANCELLATION", true) => new ItemMeaning.Apply(PaymentEventKind.Closed, "originalReference"),
        ("CANCEL_OR_REFUND", true) => modificationAction switch
        {
            "cancel" => new ItemMeaning.Apply(PaymentEventKind.Closed, "originalReference"),
            "refund" => new ItemMeaning.Apply(PaymentEventKind.Refunded, "originalReference"),
            _ => new ItemMeaning.Park("a CANCEL_OR_REFUND whose additionalData names no modification.action (cancel or refund): look it up in the Customer Area."),
        },
        ("REFUND", true) => new ItemMeaning.Apply(PaymentEventKind.Refunded, "originalReference"),
        // A refund Adyen refused, or one that failed after it succeeded (REFUND_FAILED): no money went back.
        ("REFUND", false) or ("REFUND_FAILED", _) => new ItemMeaning.Apply(PaymentEventKind.RefundFailed, "originalReference"),
        ("NOTIFICATION_OF_CHARGEBACK" or "DISPUTE_OPENED_WITH_CHARGEBACK", _) => new ItemMeaning.Apply(PaymentEventKind.DisputeOpened, "originalReference"),
        // Adyen debits the merchant on CHARGEBACK: the money is the customer's again, whatever the defence does later.
        ("CHARGEBACK" or "SECOND_CHARGEBACK", _) => new ItemMeaning.Apply(PaymentEventKind.DisputeLost, "originalReference"),
        ("CHARGEBACK_REVERSED", _) => new ItemMeaning.Apply(PaymentEventKind.DisputeWon, "originalReference"),
        _ => null,
    };

    /// <summary>An item applied as a payment event (its payment named at <see cref="Apply.PaymentIdPath"/>), or parked for an operator.</summary>
    private abstract record ItemMeaning
    {
        public sealed record Apply(PaymentEventKind Kind, string PaymentIdPath) : ItemMeaning;

        public sealed record Park(string Reason) : ItemMeaning;
    }

    /// <summary>The text Adyen signs for one item; missing fields are empty, the amount's value as its digits.</summary>
    public static string SignedContent(JsonElement item) => string.Join(':',
        Field(item, "pspReference"),
        Field(item, "originalReference"),
        Field(item, "merchantAccountCode"),
        Field(item, "merchantReference"),
        item.TryGetProperty("amount", out var amount) && amount.ValueKind == JsonValueKind.Object ? Field(amount, "value") : "",
        item.TryGetProperty("amount", out amount) && amount.ValueKind == JsonValueKind.Object ? Field(amount, "currency") : "",
        Field(item, "eventCode"),
        Field(item, "success"));

    private static string Field(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => "",
            }
            : "";

    private static byte[]? TryBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written > 0 ? buffer[..written] : null;
    }
}
