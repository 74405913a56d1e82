using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GatewaySimulator.Adyen;

/// <summary>
/// Adyen's standard webhook for a payment event, written from Adyen's public documentation: a batch
/// (<c>notificationItems</c>) of one <c>NotificationRequestItem</c>, signed with the simulator's own
/// HMAC key (generated per run) over
/// <c>pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success</c>.
/// The payment id is the <c>pspReference</c>; a refund has its own and names the payment as <c>originalReference</c>,
/// as do a dispute's events (NOTIFICATION_OF_CHARGEBACK, CHARGEBACK, CHARGEBACK_REVERSED), which share the dispute's.
/// </summary>
internal static class AdyenNotifications
{
    public const string MerchantAccount = "SimulatorMerchant";

    public static WebhookMessage? Build(byte[] hmacKey, PaymentEvent paymentEvent, long sequence)
    {
        var payment = paymentEvent.Payment;
        if (paymentEvent.Dispute is { } dispute)
        {
            // Every event of one dispute shares the dispute's pspReference; the payment is the originalReference.
            // A chargeback's outcome is told by CHARGEBACK (debited) and CHARGEBACK_REVERSED: nothing at the close.
            var code = paymentEvent.DisputeStep switch
            {
                DisputeStep.Opened => "NOTIFICATION_OF_CHARGEBACK",
                DisputeStep.FundsWithdrawn => "CHARGEBACK",
                DisputeStep.FundsReinstated => "CHARGEBACK_REVERSED",
                _ => null,
            };
            return code is null ? null : Message(hmacKey, paymentEvent, sequence, code, "true", dispute.DisputeId, payment.PaymentId, dispute.AmountMinor, dispute.Currency);
        }
        var (eventCode, success, psp, original, value, currency) = paymentEvent.Kind switch
        {
            PaymentEventKind.Succeeded => ("AUTHORISATION", "true", payment.PaymentId, "", payment.PaidAmountMinor, payment.Currency),
            PaymentEventKind.Failed => ("AUTHORISATION", "false", payment.PaymentId, "", payment.AmountMinor, payment.Currency),
            _ => ("REFUND", "true", paymentEvent.Refund!.RefundId, payment.PaymentId, paymentEvent.Refund.AmountMinor, paymentEvent.Refund.Currency),
        };
        return Message(hmacKey, paymentEvent, sequence, eventCode, success, psp, original, value, currency);
    }

    private static WebhookMessage Message(byte[] hmacKey, PaymentEvent paymentEvent, long sequence, string eventCode, string success, string psp, string original, long value, string currency)
    {
        var payment = paymentEvent.Payment;
        var signed = string.Join(':', psp, original, MerchantAccount, payment.OrderId, value.ToString(CultureInfo.InvariantCulture), currency, eventCode, success);
        var item = new Dictionary<string, object>
        {
            ["additionalData"] = new Dictionary<string, string> { ["hmacSignature"] = Convert.ToBase64String(HMACSHA256.HashData(hmacKey, Encoding.UTF8.GetBytes(signed))) },
            ["amount"] = new { value, currency },
            ["eventCode"] = eventCode,
            ["eventDate"] = paymentEvent.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            ["merchantAccountCode"] = MerchantAccount,
            ["merchantReference"] = payment.OrderId,
            ["pspReference"] = psp,
            ["success"] = success,
        };
        if (original.Length > 0)
        {
            item["originalReference"] = original;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new { live = "false", notificationItems = new[] { new { NotificationRequestItem = item } } });
        return new WebhookMessage(sequence, $"{psp}:{eventCode}", PaymentProviders.Adyen, eventCode, body);
    }
}
