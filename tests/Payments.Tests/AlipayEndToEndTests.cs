using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Alipay orders on the real pipeline (Azurite, the Durable engine). Where the saga's own calls are
/// under test the simulator's own API is a dead port, so every outbound call is the Alipay
/// connector's (the day's statement, which asks every connector, needs it alive).
/// </summary>
public abstract class AlipayPipelineFixture(string name, double lossRate, double duplicateRate, int paymentWindowSeconds, bool onlyAlipayCallable = true) : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        name,
        settings =>
        {
            settings["Saga:PaymentWindowSeconds"] = paymentWindowSeconds.ToString();
            if (onlyAlipayCallable)
            {
                settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
            }
        },
        gateway => gateway with { LossRate = lossRate, DuplicateRate = duplicateRate });

    /// <summary>Creates the trade at Alipay (out_trade_no = payment id) and registers the order in yuan, as the order service would.</summary>
    public async Task<OrderRequest> RegisterAsync(string orderId, long amount, string sku)
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync(sku, 1);
        var order = new OrderRequest(orderId, "cust-" + orderId, [new OrderLine(sku, 1)], amount, "CNY", "alipay", "ali-" + orderId);
        await Pipeline.CreatePaymentAsync(order);
        using var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        return order;
    }

    public async Task<List<InboxEntry>> AlipayRowsAsync(Func<InboxEntry, bool> where) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(e => e.Provider == "alipay" && where(e)).ToList();
}

/// <summary>Every notification delivered twice.</summary>
public sealed class AlipayDeliveryFixture() : AlipayPipelineFixture("alipaydup", lossRate: 0, duplicateRate: 1.0, paymentWindowSeconds: 120);

/// <summary>Every notification lost, a short payment window: the saga must ask Alipay itself.</summary>
public sealed class AlipayLossFixture() : AlipayPipelineFixture("alipayloss", lossRate: 1.0, duplicateRate: 0, paymentWindowSeconds: 3);

/// <summary>Every notification lost, a long payment window: only the bill can tell; tests also post their own notifications.</summary>
public sealed class AlipayBillFixture() : AlipayPipelineFixture("alipaybill", lossRate: 1.0, duplicateRate: 0, paymentWindowSeconds: 120, onlyAlipayCallable: false);

public sealed class AlipayDeliveryTests(AlipayDeliveryFixture fixture) : IClassFixture<AlipayDeliveryFixture>
{
    [Fact]
    public async Task An_alipay_order_completes_from_its_signed_notification_delivered_twice_and_applied_once()
    {
        var order = await fixture.RegisterAsync("ali-done", amount: 8888, sku: "sku-ali-done");
        await fixture.Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await fixture.Pipeline.Gateway.PayAsync(order.PaymentId);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await fixture.Pipeline.WaitForOutcomeAsync(order.OrderId));
        await fixture.Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        var row = Assert.Single(await fixture.AlipayRowsAsync(e => e.Event?.OrderId == order.OrderId));
        Assert.Equal((PaymentEventKind.Succeeded, order.PaymentId, 8888L, "CNY"), (row.Event!.Kind, row.Event.PaymentId, row.Event.AmountMinor, row.Event.Currency));
        Assert.True(fixture.Pipeline.Gateway.Stats.DuplicatesSent >= 1);
        Assert.Equal(new StockLevel("sku-ali-done", 0, 0, 1), await fixture.Pipeline.Service<StockLedger>().GetLevelAsync("sku-ali-done"));
    }

    /// <summary>
    /// Alipay's refund notification names the refund by its out_biz_no and gives the trade's refunded
    /// total in refund_fee: the second of two merchant-console refunds is recorded at its own amount.
    /// </summary>
    [Fact]
    public async Task Two_refunds_made_in_the_alipay_merchant_console_are_each_recorded_at_their_own_amount_and_reverse_the_order_in_proportion()
    {
        var pipeline = fixture.Pipeline;
        var order = await fixture.RegisterAsync("ali-console", amount: 10000, sku: "sku-ali-console");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var points = pipeline.Service<PointsLedger>();
        var granted = await points.GetBalanceAsync(order.CustomerId);

        var first = pipeline.Gateway.DashboardRefund(order.PaymentId, 3000);
        await WaitForRefundAsync(order.OrderId, first);
        var second = pipeline.Gateway.DashboardRefund(order.PaymentId, 2000);
        await WaitForRefundAsync(order.OrderId, second);

        var refunds = (await pipeline.Service<MoneyLedger>().ListAsync(order.OrderId)).Where(m => m.Kind == MoneyKinds.Refund).ToList();
        Assert.Equal([(first, 3000L), (second, 2000L)], refunds.OrderBy(r => r.CreatedAt).Select(r => (r.GatewayRefundId!, r.AmountMinor)));
        Assert.All(refunds, r => Assert.Equal((MoneyInitiators.Gateway, nameof(RefundState.Succeeded), "CNY"), (r.Initiator, r.State, r.Currency)));
        Assert.Equal(OrderStatus.PartiallyRefunded, (await pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        Assert.Equal(granted - (long)Math.Ceiling(granted * 0.5m), await points.GetBalanceAsync(order.CustomerId));
    }

    private async Task WaitForRefundAsync(string orderId, string refundId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await fixture.Pipeline.Service<MoneyLedger>().FindRefundAsync(orderId, null, refundId) is not { State: nameof(RefundState.Succeeded) })
        {
            Assert.True(DateTime.UtcNow < deadline, $"refund {refundId} of {orderId} never recorded");
            await Task.Delay(200);
        }
    }
}

public sealed class AlipayLossTests(AlipayLossFixture fixture) : IClassFixture<AlipayLossFixture>
{
    [Fact]
    public async Task An_unpaid_alipay_order_times_out_and_its_trade_is_queried_then_closed()
    {
        var order = await fixture.RegisterAsync("ali-timeout", amount: 2500, sku: "sku-ali-timeout");

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await fixture.Pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Equal("closed", fixture.Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).Status);
    }

    [Fact]
    public async Task An_alipay_trade_paid_the_wrong_amount_is_refunded_once_through_alipay_trade_refund()
    {
        var order = await fixture.RegisterAsync("ali-mismatch", amount: 2500, sku: "sku-ali-mismatch");
        await fixture.Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await fixture.Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        // The window closes, the query finds the trade paid 24.00 yuan: not the order's amount.
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await fixture.Pipeline.WaitForOutcomeAsync(order.OrderId));
        var refund = Assert.Single(fixture.Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal((2400L, "CNY"), (refund.AmountMinor, refund.Currency));
    }
}

/// <summary>
/// The bill heals a payment whose notifications were all lost; and every malformed or forged
/// notification is refused with nothing stored, while the odd-but-valid ones verify.
/// </summary>
public sealed class AlipayBillTests(AlipayBillFixture fixture) : IClassFixture<AlipayBillFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_paid_alipay_order_whose_notifications_were_lost_is_healed_from_the_day_s_bill()
    {
        var order = await fixture.RegisterAsync("ali-heal", amount: 1999, sku: "sku-ali-heal");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        // Alipay's bill is per China Standard Time day.
        var chinaToday = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd");

        var report = await Pipeline.ReconcileStatementAsync(DateOnly.Parse(chinaToday, System.Globalization.CultureInfo.InvariantCulture));

        var healed = Assert.Single(report!.Discrepancies, d => d.OrderId == order.OrderId);
        Assert.Equal((DiscrepancyClass.PaidButUnknown, "payment_applied", 1999L, "CNY"), (healed.Class, healed.Action, healed.AmountMinor, healed.Currency));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task A_notification_with_an_empty_field_and_a_chinese_subject_verifies_and_is_acknowledged_with_success()
    {
        var fields = Valid("ntf-odd", "ali-odd", "odd").With("subject", "测试商品 — 订单 odd").With("passback_params", "").With("buyer_logon_id", "");

        using var reply = await PostAsync(Sign(fields));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(("text/plain", "success"), (reply.Content.Headers.ContentType?.MediaType, await reply.Content.ReadAsStringAsync()));
        var row = Assert.Single(await fixture.AlipayRowsAsync(e => e.EventId == "ntf-odd"));
        Assert.Equal((PaymentEventKind.Succeeded, "ali-odd", "odd", 2500L), (row.Event!.Kind, row.Event.PaymentId, row.Event.OrderId, row.Event.AmountMinor));
        // The same notify_id again is a redelivery: acknowledged, not stored twice.
        using var again = await PostAsync(Sign(fields));
        Assert.Equal("success", await again.Content.ReadAsStringAsync());
        Assert.Single(await fixture.AlipayRowsAsync(e => e.EventId == "ntf-odd"));
    }

    [Fact]
    public async Task A_notification_encoded_in_gbk_verifies_over_the_gbk_bytes_of_its_content()
    {
        var fields = Valid("ntf-gbk", "ali-gbk", "gbk").With("charset", "GBK").With("subject", "测试商品");
        var signed = TestAlipay.Signed(fields, content => Pipeline.Gateway.Alipay.Sign(content, TestAlipay.Gbk));

        using var reply = await Pipeline.Http.SendAsync(TestAlipay.Post(Pipeline.Host.BaseAddress, TestAlipay.Form(signed, TestAlipay.Gbk)));

        Assert.Equal("success", await reply.Content.ReadAsStringAsync());
        Assert.Single(await fixture.AlipayRowsAsync(e => e.EventId == "ntf-gbk"));
    }

    public static TheoryData<string, HttpStatusCode> Refusals => new()
    {
        { "tampered_amount", HttpStatusCode.Unauthorized },
        { "tampered_subject", HttpStatusCode.Unauthorized },
        { "wrong_key", HttpStatusCode.Unauthorized },
        { "unsigned", HttpStatusCode.Unauthorized },
        { "rsa1", HttpStatusCode.Unauthorized },
        { "wrong_app_id", HttpStatusCode.BadRequest },
        { "wrong_seller_id", HttpStatusCode.BadRequest },
        { "three_decimals", HttpStatusCode.BadRequest },
        { "not_a_form", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_forged_or_invalid_notification_is_refused_and_nothing_is_stored(string defect, HttpStatusCode expected)
    {
        var notifyId = "ntf-bad-" + defect.Replace('_', '-');
        var fields = Valid(notifyId, "ali-bad", "bad");
        using var wrongKey = RSA.Create(2048);
        byte[] form = defect switch
        {
            "tampered_amount" => TestAlipay.Form(Sign(fields).With("total_amount", "2.50")),
            "tampered_subject" => TestAlipay.Form(Sign(fields).With("subject", "other")),
            "wrong_key" => TestAlipay.Form(TestAlipay.Signed(fields, content => TestAlipay.Sign(wrongKey, content))),
            "unsigned" => TestAlipay.Form(fields),
            "rsa1" => TestAlipay.Form(Sign(fields).With("sign_type", "RSA")),
            "wrong_app_id" => TestAlipay.Form(Sign(fields.With("app_id", "2021999999999999"))),
            "wrong_seller_id" => TestAlipay.Form(Sign(fields.With("seller_id", "2088999999999999"))),
            "three_decimals" => TestAlipay.Form(Sign(fields.With("total_amount", "25.001"))),
            _ => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(fields.ToDictionary())),
        };

        using var reply = await PostAsync(form);

        Assert.Equal(expected, reply.StatusCode);
        Assert.NotEqual("success", await reply.Content.ReadAsStringAsync());
        Assert.Empty(await fixture.AlipayRowsAsync(e => e.EventId == notifyId));
    }

    private List<KeyValuePair<string, string>> Valid(string notifyId, string paymentId, string orderId) =>
        TestAlipay.Notification(Pipeline.Gateway.Alipay.AppId, Pipeline.Gateway.Alipay.SellerId, notifyId, paymentId, orderId, "25.00");

    // The simulator's platform key signs as Alipay would.
    private List<KeyValuePair<string, string>> Sign(List<KeyValuePair<string, string>> fields) =>
        TestAlipay.Signed(fields, Pipeline.Gateway.Alipay.Sign);

    private Task<HttpResponseMessage> PostAsync(List<KeyValuePair<string, string>> fields) => PostAsync(TestAlipay.Form(fields));

    private Task<HttpResponseMessage> PostAsync(byte[] form) => Pipeline.Http.SendAsync(TestAlipay.Post(Pipeline.Host.BaseAddress, form));
}
