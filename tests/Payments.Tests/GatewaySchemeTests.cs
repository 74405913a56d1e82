using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Gateway;
using Payments.Gateway.Adyen;
using Payments.Gateway.Alipay;

namespace Payments.Tests;

/// <summary>
/// The Alipay and Adyen signing rules on their own, without a host: Adyen's published worked example,
/// and Alipay's content rules checked against strings built by hand.
/// </summary>
public sealed class GatewaySchemeTests
{
    // Adyen's public worked example of a standard webhook item and its signature (their HMAC documentation).
    private const string AdyenExampleKey = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
    private const string AdyenExampleItem = """
        {"additionalData":{"hmacSignature":"coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0="},"amount":{"value":1130,"currency":"EUR"},
         "pspReference":"7914073381342284","eventCode":"AUTHORISATION","eventDate":"2019-05-06T17:15:34.121+02:00",
         "merchantAccountCode":"TestMerchant","merchantReference":"TestPayment-1407325143704","paymentMethod":"visa","success":"true"}
        """;

    [Fact]
    public void Adyen_s_published_example_verifies_and_a_changed_amount_does_not()
    {
        var adyen = new AdyenProvider([AdyenExampleKey], ["TestMerchant"]);
        using var item = JsonDocument.Parse(AdyenExampleItem);

        Assert.Equal("7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true", AdyenProvider.SignedContent(item.RootElement));
        Assert.True(adyen.Verify(Request("adyen", AdyenExampleItem), DateTimeOffset.UtcNow));
        Assert.False(adyen.Verify(Request("adyen", AdyenExampleItem.Replace("1130", "1131")), DateTimeOffset.UtcNow));
        Assert.False(new AdyenProvider([AdyenExampleKey.Replace('4', '5')], ["TestMerchant"]).Verify(Request("adyen", AdyenExampleItem), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void An_adyen_batch_is_split_into_its_items_exactly_as_they_were_sent()
    {
        var adyen = new AdyenProvider([AdyenExampleKey], ["TestMerchant"]);
        var batch = $$$"""{"live":"false","notificationItems":[{"NotificationRequestItem":{{{AdyenExampleItem}}}},{"NotificationRequestItem":{"pspReference":"2"}}]}""";

        var items = ((IWebhookProvider)adyen).Items(Request("adyen", batch));

        Assert.Equal(2, items!.Count);
        Assert.Equal(AdyenExampleItem, Encoding.UTF8.GetString(items[0].Body));
        Assert.True(adyen.Verify(items[0], DateTimeOffset.UtcNow));
        Assert.Null(((IWebhookProvider)adyen).Items(Request("adyen", """{"notificationItems":[]}""")));
        Assert.Null(((IWebhookProvider)adyen).Items(Request("adyen", "pspReference=1")));
    }

    [Fact]
    public void The_adyen_authorisation_maps_to_a_success_for_the_merchant_reference()
    {
        var parsed = Assert.IsType<ParseOutcome.Parsed>(new AdyenProvider([AdyenExampleKey], ["TestMerchant"]).Parse(Request("adyen", AdyenExampleItem)));

        Assert.Equal(("7914073381342284:AUTHORISATION:true", "7914073381342284", "TestPayment-1407325143704", 1130L, "EUR"),
            (parsed.Event.EventId, parsed.Event.PaymentId, parsed.Event.OrderId, parsed.Event.AmountMinor, parsed.Event.Currency));
        Assert.IsType<ParseOutcome.Invalid>(new AdyenProvider([AdyenExampleKey], ["OtherMerchant"]).Parse(Request("adyen", AdyenExampleItem)));
    }

    [Fact]
    public void Alipay_signs_every_non_empty_field_but_sign_and_sign_type_sorted_by_key_with_decoded_values()
    {
        var form = Encoding.ASCII.GetBytes("b=2&a=1&sign=abc&sign_type=RSA2&empty=&Z=upper&subject=%E4%B8%AD%E6%96%87+a%26b%3Dc&charset=utf-8");

        var fields = AlipayForm.Parse(form)!;

        Assert.Equal("Z=upper&a=1&b=2&charset=utf-8&subject=中文 a&b=c", AlipaySignature.NotificationContent(fields));
        Assert.Equal("Z=upper&a=1&b=2&charset=utf-8&sign_type=RSA2&subject=中文 a&b=c", AlipaySignature.RequestContent(fields));
    }

    [Fact]
    public void An_alipay_form_in_gbk_is_decoded_in_gbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbk = string.Concat(Encoding.GetEncoding("GBK").GetBytes("中文").Select(b => $"%{b:X2}"));

        var fields = AlipayForm.Parse(Encoding.ASCII.GetBytes($"charset=gbk&subject={gbk}"))!;

        Assert.Equal("中文", fields["subject"]);
        Assert.Null(AlipayForm.Parse(Encoding.ASCII.GetBytes("a=1&a=2")));
        Assert.Null(AlipayForm.Parse(Encoding.UTF8.GetBytes("subject=中文")));
    }

    [Theory]
    [InlineData("88.88", 8888)]
    [InlineData("0.1", 10)]
    [InlineData("0.01", 1)]
    [InlineData("100", 10000)]
    [InlineData("19.99", 1999)]
    [InlineData("9999999999.99", 999999999999)]
    public void Yuan_become_fen_exactly(string yuan, long fen)
    {
        Assert.Equal(fen, AlipayAmount.ToFen(yuan));
        Assert.Equal(yuan.Contains('.') ? yuan.PadRight(yuan.IndexOf('.') + 3, '0') : yuan + ".00", AlipayAmount.ToYuan(fen));
    }

    [Theory]
    [InlineData("1.005")]
    [InlineData("0.001")]
    [InlineData("1e3")]
    [InlineData("-1.00")]
    [InlineData(" 1.00")]
    [InlineData("1,00")]
    [InlineData("")]
    [InlineData("１.00")]
    public void Anything_but_yuan_with_at_most_two_decimals_is_refused(string text) =>
        Assert.Null(AlipayAmount.ToFen(text));

    [Fact]
    public void An_alipay_answer_is_believed_only_when_its_signature_covers_the_response_object_as_sent()
    {
        using var alipay = RSA.Create(2048);
        using var other = RSA.Create(2048);
        const string node = """{"code":"10000","msg":"Success","out_trade_no":"p1","trade_status":"TRADE_SUCCESS","total_amount":"12.50"}""";
        bool Verify(ReadOnlyMemory<byte> content, string? signature) => AlipaySignature.Verify([alipay], content.Span, signature);
        byte[] Body(string response, RSA key) => Encoding.UTF8.GetBytes($$"""{"alipay_trade_query_response":{{response}},"sign":"{{AlipaySignature.Sign(key, response)}}"}""");

        var read = AlipayResponse.Read(Body(node, alipay), "alipay.trade.query", Verify);

        Assert.Equal((true, "TRADE_SUCCESS"), (read.IsSuccess, read.Text("trade_status")));
        Assert.Equal(1250, AlipayGateway.ToPayment(read).PaidAmountMinor);
        Assert.Throws<InvalidDataException>(() => AlipayResponse.Read(Body(node, other), "alipay.trade.query", Verify));
        var tampered = Encoding.UTF8.GetString(Body(node, alipay)).Replace("12.50", "1.25");
        Assert.Throws<InvalidDataException>(() => AlipayResponse.Read(Encoding.UTF8.GetBytes(tampered), "alipay.trade.query", Verify));
        Assert.Throws<InvalidDataException>(() => AlipayResponse.Read(Encoding.UTF8.GetBytes($$"""{"alipay_trade_query_response":{{node}}}"""), "alipay.trade.query", Verify));
        // Alipay leaves some refusals unsigned: read as the refusal it is, never as a success.
        var unsignedError = AlipayResponse.Read(Encoding.UTF8.GetBytes("""{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"}}"""), "alipay.trade.query", Verify);
        Assert.Equal(("40002", "isv.invalid-app-id"), (unsignedError.Code, unsignedError.SubCode));
    }

    [Fact]
    public void An_idempotency_key_too_long_for_out_request_no_becomes_a_stable_digest()
    {
        var longKey = "refund-" + new string('p', 64);

        Assert.Equal("refund-pay-1", AlipayGateway.RequestNo("refund-pay-1"));
        Assert.Equal(64, AlipayGateway.RequestNo(longKey).Length);
        Assert.Equal(AlipayGateway.RequestNo(longKey), AlipayGateway.RequestNo(longKey));
        Assert.NotEqual(AlipayGateway.RequestNo(longKey), AlipayGateway.RequestNo(longKey + "x"));
    }

    private static WebhookRequest Request(string provider, string body) =>
        new(provider, new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body));
}
