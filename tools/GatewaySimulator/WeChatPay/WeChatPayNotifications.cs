using System.Text.Json;

namespace GatewaySimulator.WeChatPay;

/// <summary>
/// The notifications WeChat Pay sends for a payment's events: <c>TRANSACTION.SUCCESS</c> for a
/// payment, <c>REFUND.SUCCESS</c> for a refund, <c>REFUND.ABNORMAL</c> for a refund that failed after
/// it was accepted. A declined attempt sends nothing (WeChat Pay has no
/// failure notification; the merchant learns <c>PAYERROR</c> by querying).
/// </summary>
internal static class WeChatPayNotifications
{
    public static WebhookMessage? Build(PaymentEvent paymentEvent, Random random, long sequence, WeChatPayDialect dialect)
    {
        var payment = paymentEvent.Payment;
        var id = "EV-" + SeededRandom.Hex(random, 24);
        var nonce = SeededRandom.Alphanumeric(random, 12);
        var (type, summary, originalType, resource) = paymentEvent.Kind switch
        {
            PaymentEventKind.Succeeded => ("TRANSACTION.SUCCESS", "支付成功", "transaction", JsonSerializer.SerializeToUtf8Bytes(Transaction(payment, paymentEvent.ChargeId))),
            PaymentEventKind.Refunded => ("REFUND.SUCCESS", "退款成功", "refund", Refund(paymentEvent, "SUCCESS")),
            // Accepted, then failed on the way to the payer (a closed card): the money did not arrive.
            PaymentEventKind.RefundFailed => ("REFUND.ABNORMAL", "退款异常", "refund", Refund(paymentEvent, "ABNORMAL")),
            _ => (null, null, null, null),
        };
        if (type is null)
        {
            return null;
        }
        var body = dialect.Notification(id, paymentEvent.OccurredAt, type, summary!, originalType!, resource!, nonce);
        return new WebhookMessage(sequence, id, PaymentProviders.WeChatPay, type, body);
    }

    private static byte[] Refund(PaymentEvent paymentEvent, string status) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        mchid = WeChatPayDialect.MerchantId,
        out_trade_no = paymentEvent.Payment.PaymentId,
        transaction_id = paymentEvent.ChargeId,
        out_refund_no = paymentEvent.Refund!.IdempotencyKey ?? paymentEvent.Refund.RefundId,
        refund_id = paymentEvent.Refund.RefundId,
        refund_status = status,
        success_time = status == "SUCCESS" ? WeChatPayDialect.ChinaTime(paymentEvent.Refund.CreatedAt) : null,
        user_received_account = "支付用户零钱",
        amount = new { total = paymentEvent.Payment.PaidAmountMinor, refund = paymentEvent.Refund.AmountMinor, payer_total = paymentEvent.Payment.PaidAmountMinor, payer_refund = paymentEvent.Refund.AmountMinor },
    });

    /// <summary>A transaction as the query API and the notification's resource describe it.</summary>
    public static object Transaction(PaymentSnapshot payment, string? transactionId)
    {
        var state = payment.Status switch
        {
            PaymentStatus.Paid when payment.RefundedMinor > 0 => "REFUND",
            PaymentStatus.Paid => "SUCCESS",
            PaymentStatus.Closed => "CLOSED",
            PaymentStatus.Failed => "PAYERROR",
            _ => "NOTPAY",
        };
        var paid = payment.Status == PaymentStatus.Paid;
        return new
        {
            appid = WeChatPayDialect.AppId,
            mchid = WeChatPayDialect.MerchantId,
            out_trade_no = payment.PaymentId,
            transaction_id = paid ? transactionId : null,
            trade_type = "JSAPI",
            trade_state = state,
            trade_state_desc = state,
            bank_type = paid ? "OTHERS" : null,
            // The order service puts its order id in attach when it creates the payment.
            attach = payment.OrderId,
            success_time = paid && payment.PaidAt is { } at ? WeChatPayDialect.ChinaTime(at) : null,
            payer = new { openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
            amount = new
            {
                total = paid ? payment.PaidAmountMinor : payment.AmountMinor,
                payer_total = paid ? payment.PaidAmountMinor : 0,
                currency = payment.Currency,
                payer_currency = payment.Currency,
            },
        };
    }
}
