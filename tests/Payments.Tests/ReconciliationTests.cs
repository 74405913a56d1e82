using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Payments.Contracts;
using Payments.Functions;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Intake stores every callback but never manages to dispatch one.</summary>
public sealed class BrokenDispatchFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "relay", settings => settings["Faults:IntakeDispatchFailureRate"] = "1.0");
}

public sealed class OutboxRelayTests(BrokenDispatchFixture fixture) : IClassFixture<BrokenDispatchFixture>
{
    [Fact]
    public async Task A_dispatch_failure_at_intake_is_relayed_by_the_reconciler_and_applied_once()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-relay", 3);
        var order = await pipeline.RegisterOrderAsync("relay1", amount: 2000, sku: "sku-relay");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId);
        await pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Running", (await pipeline.Durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId)))!.RuntimeStatus.ToString());

        await Task.Delay(OutboxRelay.SettleTime);
        var report = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);
        var again = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);

        Assert.Equal(1, report.Relay.Relayed);
        Assert.Equal(0, again.Relay.Relayed);
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(new StockLevel("sku-relay", 2, 0, 1), await pipeline.Service<StockLedger>().GetLevelAsync("sku-relay"));
        Assert.Single(await Collect.AllAsync(pipeline.Service<PointsLedger>().ListGrantsAsync()), g => g.OrderId == order.OrderId);
    }
}

/// <summary>A gateway whose webhooks are all lost, and a reconciler that queries early; the host's logs collected.</summary>
public sealed class LostWebhooksFixture : PipelineFixture
{
    public FakeLogCollector Logs { get; } = new();

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "lost", settings => settings["Reconciler:ActiveQueryAfterSeconds"] = "1", gateway => gateway with { LossRate = 1.0 },
        services => services.AddSingleton(LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(new FakeLoggerProvider(Logs)))));
}

public sealed class ActiveQueryTests(LostWebhooksFixture fixture) : IClassFixture<LostWebhooksFixture>
{
    [Fact]
    public async Task A_success_the_gateway_never_sent_is_recovered_by_the_active_query_well_before_the_window_closes()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-aq", 3);
        var order = await pipeline.RegisterOrderAsync("aq1", amount: 2500, sku: "sku-aq");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId); // webhook lost

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var report = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);
        var again = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);

        Assert.Equal((1, 0), (report.Recovered, again.Recovered));
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(25, await pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
    }

    [Fact]
    public async Task An_unpaid_adyen_order_is_not_queried_every_run_and_that_is_said_once_without_a_stack_trace()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-aq-adyen", 1);
        // Adyen is intake-only: no outbound port to ask.
        var order = await pipeline.RegisterOrderWithoutPaymentAsync("aq-adyen", amount: 1130, sku: "sku-aq-adyen", provider: "adyen");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past Reconciler:ActiveQueryAfterSeconds
        var first = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);
        var second = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);

        Assert.Equal((1, 1), (first.NotQueryable, second.NotQueryable));
        // Never asked, so no failed query is noted on the order (it was "failed: NotSupportedException" every run).
        var row = (await pipeline.Service<OrderBook>().GetAsync(order.OrderId))!;
        Assert.Equal((OrderStatus.AwaitingPayment, 0, null), (row.Status, row.ActiveQueries, row.LastQueryAnswer));
        var logged = fixture.Logs.GetSnapshot();
        var said = Assert.Single(logged, r => r.Id.Id == 3120);
        Assert.Equal((LogLevel.Information, null), (said.Level, said.Exception));
        Assert.Contains("adyen", said.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logged, r => r.Exception is NotSupportedException);
    }

    [Fact]
    public async Task A_success_in_the_inbox_that_its_lagging_saga_has_not_recorded_yet_is_not_queried_as_lost()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-aq", 3);
        var order = await pipeline.RegisterOrderAsync("aq2", amount: 2500, sku: "sku-aq");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        // A saga that lags: suspended, it holds the raised event without recording the payment.
        await pipeline.Durable.SuspendInstanceAsync(OrderSaga.InstanceId(order.OrderId));
        await pipeline.Gateway.PayAsync(order.PaymentId); // the gateway's own webhook is lost; this one arrives
        using var reply = await pipeline.Http.SendAsync(TestWebhooks.Standard(pipeline.Host.BaseAddress, "msg-aq2",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, 2500)));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var report = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);

        Assert.Equal((0, 1), (report.Recovered, report.HeldInInbox));
        Assert.Equal(OrderStatus.AwaitingPayment, (await pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        await pipeline.Durable.ResumeInstanceAsync(OrderSaga.InstanceId(order.OrderId));
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task A_success_stored_moments_ago_whose_dispatch_failed_is_left_to_the_relay_not_queried_as_lost()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-aqh", 3);
        var order = await pipeline.RegisterOrderAsync("aqh1", amount: 1800, sku: "sku-aqh");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId); // the gateway's webhook is lost
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past Reconciler:ActiveQueryAfterSeconds
        // A delivery that intake stored just now and could not hand to the saga, as after a dispatch failure.
        var stored = new PaymentEvent("standard", "msg_aqh1_paid", PaymentEventKind.Succeeded, order.PaymentId, order.OrderId, 1800, "EUR", DateTimeOffset.UtcNow);
        await pipeline.Service<InboxStore>().TryAddAsync(new InboxEntry("standard", stored.EventId, [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Received, stored, null));

        var first = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);
        await Task.Delay(OutboxRelay.SettleTime);
        var second = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);

        Assert.Equal((0, 1), (first.Recovered, first.HeldInInbox));
        Assert.Equal((1, 0), (first.Relay.Relayed + second.Relay.Relayed, second.Recovered));
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }
}

/// <summary>Webhooks lost and no early active query: only the statement can tell.</summary>
public sealed class StatementFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stmt", gateway: g => g with { LossRate = 1.0 });
}

public sealed class StatementReconciliationTests(StatementFixture fixture) : IClassFixture<StatementFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private async Task PostAsync(OrderRequest order, string type, string eventId, long amount)
    {
        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, eventId,
            TestWebhooks.StandardPayment(type, order.PaymentId, order.OrderId, amount)));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
    }

    [Fact]
    public async Task One_discrepancy_of_each_class_gets_its_action_and_a_second_run_changes_nothing()
    {
        var stock = Pipeline.Service<StockLedger>();
        await stock.SetLevelAsync("sku-st", 10);

        // Paid but unknown: paid at the gateway, the webhook lost, the saga still waiting.
        var unknown = await Pipeline.RegisterOrderAsync("st-unknown", amount: 1000, sku: "sku-st");
        // Paid but cancelled: out of stock and cancelled; its payment reached the gateway only after the
        // saga's close, and the customer paid it after all.
        await stock.SetLevelAsync("sku-st-none", 0);
        var cancelled = await Pipeline.RegisterOrderWithoutPaymentAsync("st-cancelled", amount: 1100, sku: "sku-st-none");
        // Amount mismatch: the ledger recorded 1200 paid; the gateway captured 1199.
        var mismatch = await Pipeline.RegisterOrderAsync("st-mismatch", amount: 1200, sku: "sku-st");
        // Refunded at the gateway only: completed here, refunded there.
        var refunded = await Pipeline.RegisterOrderAsync("st-refunded", amount: 1300, sku: "sku-st");
        foreach (var order in new[] { unknown, mismatch, refunded })
        {
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        }
        await Pipeline.Gateway.PayAsync(unknown.PaymentId);
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(cancelled.OrderId)).Status);
        await Pipeline.CreatePaymentAsync(cancelled);
        await Pipeline.Gateway.PayAsync(cancelled.PaymentId);
        await Pipeline.Gateway.PayAsync(mismatch.PaymentId, amountMinor: 1199);
        await PostAsync(mismatch, "payment.succeeded", "msg-st-mismatch", 1200);
        await Pipeline.Gateway.PayAsync(refunded.PaymentId);
        await PostAsync(refunded, "payment.succeeded", "msg-st-refunded", 1300);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(mismatch.OrderId)).Status);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(refunded.OrderId)).Status);
        using var gatewayRefund = new HttpRequestMessage(HttpMethod.Post, $"v1/payments/{refunded.PaymentId}/refunds") { Content = JsonContent.Create(new { amountMinor = 1300, currency = "EUR" }) };
        gatewayRefund.Headers.Add("Idempotency-Key", "merchant-dashboard-1");
        (await Pipeline.GatewayHttp.SendAsync(gatewayRefund)).EnsureSuccessStatusCode();
        // Unknown locally: a payment for an order this pipeline never saw.
        (await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = "pay-ghost", orderId = "st-ghost", amountMinor = 900, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
        await Pipeline.Gateway.PayAsync("pay-ghost");

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var report = await Pipeline.ReconcileStatementAsync();

        Assert.Equal(5, report!.NewDiscrepancies);
        var actions = report.Discrepancies.ToDictionary(d => d.Class, d => (d.OrderId, d.Action));
        Assert.Equal(("st-unknown", "payment_applied"), actions[DiscrepancyClass.PaidButUnknown]);
        Assert.Equal(("st-cancelled", "refund_started"), actions[DiscrepancyClass.PaidButCancelled]);
        Assert.Equal(("st-ghost", "parked"), actions[DiscrepancyClass.UnknownLocally]);
        Assert.Equal(("st-mismatch", "parked"), actions[DiscrepancyClass.AmountMismatch]);
        // Refunded at the gateway by someone else, every notice lost: recorded from the statement's line, the order reversed.
        Assert.Equal(("st-refunded", "refund_recorded"), actions[DiscrepancyClass.RefundedAtGatewayOnly]);
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.Service<OrderBook>().GetAsync(refunded.OrderId))!.Status);

        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(unknown.OrderId)).Status);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(cancelled.PaymentId), cts.Token);
        Assert.Equal(1, await Pipeline.RefundCountAsync(cancelled.PaymentId));
        var parkedBefore = await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync());
        var levelBefore = await stock.GetLevelAsync("sku-st");

        var again = await Pipeline.ReconcileStatementAsync();

        Assert.Equal(0, again!.NewDiscrepancies);
        Assert.Equal(5, again.Discrepancies.Count);
        Assert.Equal(1, await Pipeline.RefundCountAsync(cancelled.PaymentId));
        Assert.Equal(0, await Pipeline.RefundCountAsync(unknown.PaymentId));
        Assert.Equal(parkedBefore.Count, (await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync())).Count);
        Assert.Equal(levelBefore, await stock.GetLevelAsync("sku-st"));
        using var stored = JsonDocument.Parse(await Pipeline.Http.GetStringAsync($"api/ops/reconciliation/{today}"));
        Assert.Equal(5, stored.RootElement.GetProperty("discrepancies").GetArrayLength());
        // By name, as the operator reads it: "class": "AmountMismatch", not "class": 3.
        Assert.Equal(
            ["AmountMismatch", "PaidButCancelled", "PaidButUnknown", "RefundedAtGatewayOnly", "UnknownLocally"],
            stored.RootElement.GetProperty("discrepancies").EnumerateArray().Select(d => d.GetProperty("class").GetString()).Order(StringComparer.Ordinal));
    }
}
