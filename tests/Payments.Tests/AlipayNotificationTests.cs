using System.Security.Cryptography;
using System.Text;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Alipay;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Alipay's asynchronous notification as its documentation shows it, through the connector's verify
/// and parse without a host: the documented sample is GBK (the .NET SDK's default charset) and its
/// TRADE_SUCCESS carries <c>refund_fee=0.00</c>. Signed here, independently of the connector, by the
/// SDK's rule: RSA2 over the sign content encoded in the notification's own charset.
/// </summary>
public sealed class AlipayNotificationTests : IDisposable
{
    private const string AppId = "2016092000554611";
    private const string SellerId = "2088102169232671";

    private readonly RSA alipay = RSA.Create(2048);

    /// <summary>
    /// The fields of Alipay's documented sample notification (trade_status_sync, TRADE_SUCCESS, charset GBK,
    /// Chinese subject, refund_fee=0.00), with its order id put in <c>body</c> as this integration does
    /// (the sample's body is the text 测试数据) and its payment id in <c>out_trade_no</c>.
    /// </summary>
    private static List<KeyValuePair<string, string>> DocumentedSample() =>
    [
        new("gmt_create", "2015-11-27 15:45:58"),
        new("charset", "GBK"),
        new("seller_email", "zhuzhanghu@alitest.com"),
        new("subject", "试用"),
        new("body", "ord-sample"),
        new("buyer_id", "2088102169940354"),
        new("invoice_amount", "0.02"),
        new("notify_id", "4a91b7a78a503640467525113fb7d8bg8e"),
        new("fund_bill_list", """[{"amount":"0.02","fundChannel":"ALIPAYACCOUNT"}]"""),
        new("notify_type", "trade_status_sync"),
        new("trade_status", "TRADE_SUCCESS"),
        new("receipt_amount", "0.02"),
        new("app_id", AppId),
        new("buyer_pay_amount", "0.02"),
        new("sign_type", "RSA2"),
        new("seller_id", SellerId),
        new("gmt_payment", "2015-11-27 15:45:59"),
        new("notify_time", "2015-11-27 15:45:59"),
        new("version", "1.0"),
        new("out_trade_no", "20150320010101001"),
        new("total_amount", "0.02"),
        new("trade_no", "2015112721001004350200084452"),
        new("auth_app_id", AppId),
        new("buyer_logon_id", "186***3452"),
        new("point_amount", "0.00"),
        new("refund_fee", "0.00"),
    ];

    private AlipayProvider Provider => new([alipay], AppId, SellerId);

    private List<KeyValuePair<string, string>> SignedIn(List<KeyValuePair<string, string>> fields, Encoding charset) =>
        TestAlipay.Signed(fields, content => TestAlipay.Sign(alipay, content, charset));

    private static WebhookRequest Request(byte[] form) => new(AlipayProvider.ProviderName, new Dictionary<string, string>(), form);

    [Fact]
    public void A_gbk_notification_with_chinese_text_verifies_over_the_gbk_bytes_of_its_content()
    {
        var form = TestAlipay.Form(SignedIn(DocumentedSample(), TestAlipay.Gbk), TestAlipay.Gbk);

        Assert.True(Provider.Verify(Request(form), DateTimeOffset.UtcNow));
        // The same text signed over its UTF-8 bytes is not what Alipay signs for a GBK notification.
        Assert.False(Provider.Verify(Request(TestAlipay.Form(SignedIn(DocumentedSample(), Encoding.UTF8), TestAlipay.Gbk)), DateTimeOffset.UtcNow));
        // A changed Chinese text no longer verifies.
        var tampered = SignedIn(DocumentedSample(), TestAlipay.Gbk).With("subject", "试用二");
        Assert.False(Provider.Verify(Request(TestAlipay.Form(tampered, TestAlipay.Gbk)), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_utf8_notification_still_verifies_over_its_utf8_bytes()
    {
        var fields = DocumentedSample().With("charset", "utf-8");

        Assert.True(Provider.Verify(Request(TestAlipay.Form(SignedIn(fields, Encoding.UTF8))), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void The_documented_trade_success_with_refund_fee_zero_is_a_payment_not_a_refund()
    {
        var form = TestAlipay.Form(SignedIn(DocumentedSample(), TestAlipay.Gbk), TestAlipay.Gbk);

        var parsed = Assert.IsType<ParseOutcome.Parsed>(Provider.Parse(Request(form)));

        Assert.Equal((PaymentEventKind.Succeeded, "20150320010101001", "ord-sample", 2L, "CNY"),
            (parsed.Event.Kind, parsed.Event.PaymentId, parsed.Event.OrderId, parsed.Event.AmountMinor, parsed.Event.Currency));
    }

    public static TheoryData<string, string, string?, string?, long> RefundFields => new()
    {
        // Alipay's refund notification: the trade's status after it, the refunded total, when and under which request number.
        { "TRADE_SUCCESS", "0.01", "2015-11-27 16:01:02.123", "HZRF001", 1 },
        { "TRADE_CLOSED", "0.02", "2015-11-27 16:01:02.123", null, 2 },
        { "TRADE_SUCCESS", "0.01", null, null, 1 },
    };

    [Theory]
    [MemberData(nameof(RefundFields))]
    public void A_notification_whose_refund_fields_say_money_went_back_is_a_refund(string status, string refundFee, string? gmtRefund, string? outBizNo, long refundedFen)
    {
        var fields = DocumentedSample().With("trade_status", status).With("refund_fee", refundFee);
        if (gmtRefund is not null)
        {
            fields = fields.With("gmt_refund", gmtRefund);
        }
        if (outBizNo is not null)
        {
            fields = fields.With("out_biz_no", outBizNo);
        }

        var parsed = Assert.IsType<ParseOutcome.Parsed>(Provider.Parse(Request(TestAlipay.Form(SignedIn(fields, TestAlipay.Gbk), TestAlipay.Gbk))));

        Assert.Equal((PaymentEventKind.Refunded, refundedFen), (parsed.Event.Kind, parsed.Event.AmountMinor));
    }

    [Fact]
    public void A_refund_fee_that_is_no_amount_is_refused_not_taken_for_a_payment() =>
        Assert.IsType<ParseOutcome.Invalid>(Provider.Parse(Request(TestAlipay.Form(SignedIn(DocumentedSample().With("refund_fee", "0.0x"), TestAlipay.Gbk), TestAlipay.Gbk))));

    public void Dispose() => alipay.Dispose();
}
