using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payments.Contracts;
using Payments.Gateway.WeChatPay;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// WeChat Pay orders on the real pipeline (Azurite, the Durable engine), against the simulator's
/// WeChat Pay dialect: notifications signed by its platform key and encrypted under the APIv3 key,
/// queries and closes signed by the merchant key. The simulator connector's own API is a dead port:
/// every outbound call that reaches the simulator went through the WeChat Pay connector.
/// </summary>
public sealed class WeChatPayEndToEndFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "wxe2e",
        settings =>
        {
            settings["Saga:PaymentWindowSeconds"] = "3";
            settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        });
}

public sealed class WeChatPayEndToEndTests(WeChatPayEndToEndFixture fixture) : IClassFixture<WeChatPayEndToEndFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StockLedger Stock => Pipeline.Service<StockLedger>();

    [Fact]
    public async Task An_order_in_a_currency_wechat_pay_does_not_settle_is_refused_at_registration_and_starts_nothing()
    {
        var body = """{"orderId":"wx-eur","customerId":"c1","lines":[{"sku":"sku-wx1","quantity":1}],"amountMinor":1000,"currency":"EUR","provider":"wechatpay","paymentId":"wx-eur-pay"}""";

        using var reply = await Pipeline.Http.PostAsync("api/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Contains("currency: wechatpay settles only CNY.", problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Null(await Pipeline.Durable.GetInstanceAsync(Payments.Saga.OrderSaga.InstanceId("wx-eur")));
        Assert.Equal(HttpStatusCode.NotFound, (await Pipeline.Http.GetAsync("api/orders/wx-eur")).StatusCode);
    }

    [Fact]
    public async Task A_wechat_pay_order_paid_in_time_completes_from_its_notification()
    {
        await Stock.SetLevelAsync("sku-wx1", 2);
        var order = await Pipeline.RegisterOrderAsync("wx-paid", amount: 8880, sku: "sku-wx1", provider: "wechatpay", currency: "CNY");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var row = Assert.Single(await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync()), e => e.Event?.OrderId == order.OrderId);
        Assert.Equal(("wechatpay", order.PaymentId, 8880L, "CNY"), (row.Provider, row.Event!.PaymentId, row.Event.AmountMinor, row.Event.Currency));
        Assert.Equal(new StockLevel("sku-wx1", 1, 0, 1), await Stock.GetLevelAsync("sku-wx1"));
    }

    [Fact]
    public async Task A_wechat_pay_order_never_paid_is_queried_and_closed_at_wechat_pay()
    {
        await Stock.SetLevelAsync("sku-wx2", 2);
        var order = await Pipeline.RegisterOrderAsync("wx-timeout", sku: "sku-wx2", quantity: 2, provider: "wechatpay", currency: "CNY");

        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), outcome);
        Assert.Equal("closed", Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).Status);
        Assert.Equal(new StockLevel("sku-wx2", 2, 0, 0), await Stock.GetLevelAsync("sku-wx2"));
    }

    [Fact]
    public async Task A_wechat_pay_order_paid_the_wrong_amount_is_refunded_once_by_out_refund_no()
    {
        await Stock.SetLevelAsync("sku-wx3", 1);
        var order = await Pipeline.RegisterOrderAsync("wx-mismatch", amount: 2500, sku: "sku-wx3", provider: "wechatpay", currency: "CNY");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var refund = Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal((2400L, "CNY"), (refund.AmountMinor, refund.Currency));
        Assert.Equal(new StockLevel("sku-wx3", 1, 0, 0), await Stock.GetLevelAsync("sku-wx3"));
    }
}

/// <summary>WeChat Pay orders with the default payment window: the refund tests pay at leisure.</summary>
public sealed class WeChatPayRefundFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("wxrefund", settings => settings["Gateway:BaseUrl"] = "http://127.0.0.1:9");
}

public sealed class WeChatPayRefundTests(WeChatPayRefundFixture fixture) : IClassFixture<WeChatPayRefundFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StockLedger Stock => Pipeline.Service<StockLedger>();

    /// <summary>
    /// WeChat Pay answers a refund PROCESSING and announces its end: REFUND.SUCCESS pays it (the money
    /// ledger says so), REFUND.ABNORMAL does not — the refund is parked with its retry and the order shows
    /// RefundPending. Both notices name no order: intake finds it by the payment's capture in the ledger.
    /// </summary>
    [Fact]
    public async Task A_refund_answered_processing_is_settled_by_its_notice_and_one_that_ends_abnormal_is_parked_and_shown()
    {
        await Stock.SetLevelAsync("sku-wx4", 2);
        var paid = await Pipeline.RegisterOrderAsync("wx-rf-ok", amount: 2500, sku: "sku-wx4", provider: "wechatpay", currency: "CNY");
        var abnormal = await Pipeline.RegisterOrderAsync("wx-rf-bad", amount: 2500, sku: "sku-wx4", provider: "wechatpay", currency: "CNY");
        await Pipeline.WaitForStepAsync(abnormal.OrderId, "AwaitingPayment");
        using (var scripted = await Pipeline.GatewayHttp.PostAsJsonAsync($"sim/payments/{abnormal.PaymentId}/refund-faults", new { failAfterAcceptance = 1 }))
        {
            Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
        }

        await Pipeline.Gateway.PayAsync(paid.PaymentId, amountMinor: 2400);
        await Pipeline.Gateway.PayAsync(abnormal.PaymentId, amountMinor: 2400);
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.WaitForOutcomeAsync(paid.OrderId)).Status);
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.WaitForOutcomeAsync(abnormal.OrderId)).Status);

        var money = Pipeline.Service<MoneyLedger>();
        var settled = await WaitForRefundAsync(money, paid.OrderId, "refund-" + paid.PaymentId, RefundState.Succeeded);
        Assert.Equal(["request", "answer", "notice"], settled.Observations.Select(o => o.Source));
        Assert.Equal(RefundState.Pending.ToString(), settled.Observations[1].State);

        var failed = await WaitForRefundAsync(money, abnormal.OrderId, "refund-" + abnormal.PaymentId, RefundState.Failed);
        Assert.Equal("notice", failed.Observations[^1].Source);
        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, Payments.Saga.LatePaymentRefund.InstanceId(abnormal.PaymentId));
        Assert.Equal("refund1-" + abnormal.PaymentId, parked!.Refund!.IdempotencyKey());
        Assert.Equal(OrderStatus.RefundPending, (await Pipeline.Service<OrderBook>().GetAsync(abnormal.OrderId))!.Status);
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.Service<OrderBook>().GetAsync(paid.OrderId))!.Status);
    }

    private static async Task<MoneyMovement> WaitForRefundAsync(MoneyLedger money, string orderId, string key, RefundState state)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await money.FindRefundAsync(orderId, key, null, cts.Token) is { } refund && refund.RefundState == state)
            {
                return refund;
            }
            await Task.Delay(200, cts.Token);
        }
    }
}

/// <summary>Every WeChat Pay notification lost and no early active query: only the trade bill can tell.</summary>
public sealed class WeChatPayBillFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("wxbill", gateway: g => g with { LossRate = 1.0 });
}

public sealed class WeChatPayBillTests(WeChatPayBillFixture fixture) : IClassFixture<WeChatPayBillFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_wechat_pay_payment_whose_notification_was_lost_is_healed_from_the_trade_bill()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-wxb", 1);
        var order = await Pipeline.RegisterOrderAsync("wx-bill", amount: 1888, sku: "sku-wxb", provider: "wechatpay", currency: "CNY");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);

        // WeChat Pay's bill day is the China Standard Time day.
        var day = DateTime.UtcNow.Add(TradeBill.ChinaStandardTime).ToString("yyyy-MM-dd");
        var report = await Pipeline.ReconcileStatementAsync(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture));

        var healed = Assert.Single(report!.Discrepancies);
        Assert.Equal((DiscrepancyClass.PaidButUnknown, order.OrderId, order.PaymentId, 1888L, "CNY", "payment_applied"),
            (healed.Class, healed.OrderId, healed.PaymentId, healed.AmountMinor, healed.Currency, healed.Action));
        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));
    }
}
