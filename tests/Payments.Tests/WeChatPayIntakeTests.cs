using System.Net;
using System.Text.Json;
using Payments.Contracts;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline whose WeChat Pay key list holds the simulator's platform key and the test's own.</summary>
public sealed class WeChatPayIntakeFixture : PipelineFixture
{
    public TestWeChatPay WeChatPay { get; private set; } = null!;

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("wxintake", settings =>
    {
        WeChatPay = new TestWeChatPay(settings["Connectors:WeChatPay:ApiV3Key"]!, settings["Connectors:WeChatPay:MerchantId"]!);
        WeChatPay.AddTo(settings);
    });
}

/// <summary>
/// WeChat Pay notifications over real HTTP into the real inbox: accepted ones answered 204 with no
/// body, every refusal in WeChat Pay's <c>{"code":"FAIL","message":…}</c> with nothing stored.
/// </summary>
public sealed class WeChatPayIntakeTests(WeChatPayIntakeFixture fixture) : IClassFixture<WeChatPayIntakeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private TestWeChatPay WeChatPay => fixture.WeChatPay;
    private Uri Host => Pipeline.Host.BaseAddress;

    private Task<InboxEntry?> StoredAsync(string id) => Pipeline.Service<InboxStore>().GetAsync("wechatpay", id);

    private async Task AssertRefusedAsync(HttpResponseMessage reply, HttpStatusCode status, string id)
    {
        Assert.Equal(status, reply.StatusCode);
        Assert.Equal("application/json", reply.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Equal("FAIL", body.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()));
        Assert.Null(await StoredAsync(id));
    }

    [Fact]
    public async Task A_transaction_success_with_chinese_text_is_stored_once_and_answered_204_without_a_body()
    {
        var body = WeChatPay.Notification("EV-wx-ok", "TRANSACTION.SUCCESS", WeChatPay.Transaction("pay-wx-ok", "wx-ok", 8880));

        using var first = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body));
        using var again = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body));

        foreach (var reply in new[] { first, again })
        {
            Assert.Equal(HttpStatusCode.NoContent, reply.StatusCode);
            Assert.Empty(await reply.Content.ReadAsByteArrayAsync());
        }
        var row = await StoredAsync("EV-wx-ok");
        Assert.Equal(("pay-wx-ok", "wx-ok", PaymentEventKind.Succeeded, 8880L, "CNY"),
            (row!.Event!.PaymentId, row.Event.OrderId, row.Event.Kind, row.Event.AmountMinor, row.Event.Currency));
        Assert.Equal(["Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Timestamp"], row.SignatureHeaders.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_tampered_body_is_refused_401()
    {
        var body = WeChatPay.Notification("EV-wx-tampered", "TRANSACTION.SUCCESS", WeChatPay.Transaction("pay-wx-t", "wx-t", 100));

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body.Replace("支付成功", "支付成功 ", StringComparison.Ordinal), signedBody: body));

        await AssertRefusedAsync(reply, HttpStatusCode.Unauthorized, "EV-wx-tampered");
    }

    [Fact]
    public async Task A_serial_not_in_the_key_list_is_refused_401()
    {
        var body = WeChatPay.Notification("EV-wx-serial", "TRANSACTION.SUCCESS", WeChatPay.Transaction("pay-wx-s", "wx-s", 100));

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body, serial: "PUB_KEY_ID_0114232134912410000000000001"));

        await AssertRefusedAsync(reply, HttpStatusCode.Unauthorized, "EV-wx-serial");
    }

    [Fact]
    public async Task A_stale_timestamp_is_refused_401_even_with_a_good_signature()
    {
        var body = WeChatPay.Notification("EV-wx-stale", "TRANSACTION.SUCCESS", WeChatPay.Transaction("pay-wx-st", "wx-st", 100));

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds()));

        await AssertRefusedAsync(reply, HttpStatusCode.Unauthorized, "EV-wx-stale");
    }

    [Fact]
    public async Task A_resource_whose_tag_does_not_match_is_refused_400()
    {
        // Signed by the platform key over the altered body: only the AES-GCM tag can tell.
        var body = WeChatPay.Notification("EV-wx-tag", "TRANSACTION.SUCCESS", WeChatPay.Transaction("pay-wx-tag", "wx-tag", 100),
            tamper: sealedBytes => { sealedBytes[^1] ^= 0x01; return sealedBytes; });

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body));

        await AssertRefusedAsync(reply, HttpStatusCode.BadRequest, "EV-wx-tag");
    }

    [Fact]
    public async Task A_transaction_of_another_merchant_is_refused_400()
    {
        var body = WeChatPay.Notification("EV-wx-mch", "TRANSACTION.SUCCESS", WeChatPay.Transaction("pay-wx-m", "wx-m", 100, merchantId: "1230000109"));

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body));

        await AssertRefusedAsync(reply, HttpStatusCode.BadRequest, "EV-wx-mch");
    }

    [Fact]
    public async Task A_refund_notification_is_decrypted_too_so_a_bad_tag_is_refused_400()
    {
        var refund = JsonSerializer.Serialize(new { mchid = WeChatPay.MerchantId, out_trade_no = "pay-wx-rt", refund_status = "SUCCESS" });
        var body = WeChatPay.Notification("EV-wx-refund-tag", "REFUND.SUCCESS", refund, associatedData: "refund",
            tamper: sealedBytes => { sealedBytes[0] ^= 0x01; return sealedBytes; });

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body));

        await AssertRefusedAsync(reply, HttpStatusCode.BadRequest, "EV-wx-refund-tag");
    }

    [Fact]
    public async Task A_refund_notification_for_a_payment_with_no_recorded_capture_is_acknowledged_kept_and_parked()
    {
        var refund = JsonSerializer.Serialize(new { mchid = WeChatPay.MerchantId, out_trade_no = "pay-wx-r", out_refund_no = "refund-pay-wx-r", refund_id = "50000000382019052709732678859", refund_status = "SUCCESS", amount = new { total = 100, refund = 100, payer_total = 100, payer_refund = 100 } });
        var body = WeChatPay.Notification("EV-wx-refund", "REFUND.SUCCESS", refund, associatedData: "refund");

        using var reply = await Pipeline.Http.SendAsync(WeChatPay.Post(Host, body));

        Assert.Equal(HttpStatusCode.NoContent, reply.StatusCode);
        var row = await StoredAsync("EV-wx-refund");
        // No capture of pay-wx-r in the money ledger: the notice names no order, so it is applied to none.
        Assert.Equal((InboxState.Parked, nameof(PaymentEventKind.Refunded)), (row!.State, row.EventType));
    }
}
