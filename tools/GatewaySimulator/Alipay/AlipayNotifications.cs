using System.Text;
using System.Web;

namespace GatewaySimulator.Alipay;

/// <summary>
/// Alipay's asynchronous notification for a payment event: a form-urlencoded body signed RSA2 over
/// the sorted non-empty fields without <c>sign</c> and <c>sign_type</c>. The order id rides in
/// <c>body</c>; the subject is Chinese text, and an empty <c>passback_params</c> is sent as Alipay
/// sends unset fields, so receivers meet the cases that break naive verifiers. About half the
/// notifications come in GBK (the .NET SDK's default charset: values percent-encoded as GBK bytes,
/// signed over the GBK bytes of the content), and a payment's notification carries
/// <c>refund_fee=0.00</c>, as Alipay's documented sample does.
/// </summary>
internal static class AlipayNotifications
{
    public static WebhookMessage Build(AlipayDialect dialect, PaymentEvent paymentEvent, Random random, long sequence)
    {
        var payment = paymentEvent.Payment;
        var notifyId = "2026" + SeededRandom.Hex(random, 30);
        var tradeNo = paymentEvent.ChargeId ?? "";
        // Taken from the notify id's last digit rather than drawn, so the seeded sequence of every other choice stays as it was.
        var charset = Convert.ToInt32(notifyId[^1..], 16) % 2 == 0 ? AlipayDialect.Gbk : Encoding.UTF8;
        var status = paymentEvent.Kind switch
        {
            PaymentEventKind.Succeeded => "TRADE_SUCCESS",
            PaymentEventKind.Refunded => payment.RefundedMinor >= payment.PaidAmountMinor ? "TRADE_CLOSED" : "TRADE_SUCCESS",
            _ => "WAIT_BUYER_PAY", // Alipay has no declined state: the buyer is still to pay
        };
        var fields = new List<KeyValuePair<string, string>>
        {
            new("notify_time", AlipayDialect.ChinaTime(paymentEvent.OccurredAt)),
            new("notify_type", "trade_status_sync"),
            new("notify_id", notifyId),
            new("charset", charset.CodePage == Encoding.UTF8.CodePage ? "utf-8" : "GBK"),
            new("version", "1.0"),
            new("sign_type", "RSA2"),
            new("app_id", dialect.AppId),
            new("auth_app_id", dialect.AppId),
            new("seller_id", dialect.SellerId),
            new("trade_no", tradeNo),
            new("out_trade_no", payment.PaymentId),
            new("body", payment.OrderId),
            new("subject", "测试商品 " + payment.OrderId),
            new("passback_params", ""),
            new("trade_status", status),
            // What the buyer paid once paid (the simulator may pay another amount than asked), else what is asked.
            new("total_amount", AlipayDialect.Yuan(payment.PaidAmountMinor > 0 ? payment.PaidAmountMinor : payment.AmountMinor)),
        };
        if (paymentEvent.Kind is PaymentEventKind.Succeeded or PaymentEventKind.Refunded)
        {
            fields.Add(new("receipt_amount", AlipayDialect.Yuan(payment.PaidAmountMinor)));
            fields.Add(new("gmt_payment", AlipayDialect.ChinaTime(payment.PaidAt ?? paymentEvent.OccurredAt)));
            fields.Add(new("fund_bill_list", $"[{{\"amount\":\"{AlipayDialect.Yuan(payment.PaidAmountMinor)}\",\"fundChannel\":\"ALIPAYACCOUNT\"}}]"));
        }
        if (paymentEvent.Kind is PaymentEventKind.Succeeded)
        {
            fields.Add(new("refund_fee", "0.00"));
        }
        if (paymentEvent.Refund is { } refund)
        {
            fields.Add(new("refund_fee", AlipayDialect.Yuan(payment.RefundedMinor)));
            fields.Add(new("gmt_refund", AlipayDialect.ChinaTime(refund.CreatedAt) + ".000"));
            fields.Add(new("out_biz_no", AlipayDialect.RequestNo(refund)));
        }
        fields.Add(new("sign", dialect.Sign(AlipayDialect.SignedContent(fields, "sign", "sign_type"), charset)));
        var body = string.Join('&', fields.Select(f => $"{HttpUtility.UrlEncode(f.Key, charset)}={HttpUtility.UrlEncode(f.Value, charset)}"));
        return new WebhookMessage(sequence, notifyId, PaymentProviders.Alipay, "trade_status_sync:" + status, Encoding.ASCII.GetBytes(body));
    }
}
