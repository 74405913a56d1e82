using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Refunds followed at once (first check after a second), and a crashed saga given a few seconds'
/// grace before the sweep decides it, with gates in front of the stock commit.
/// </summary>
public sealed class MoneyLedgerFixture : PipelineFixture
{
    public const int GraceSeconds = 5;

    public StepGates Gates { get; } = new();

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "moneyledger",
        settings =>
        {
            settings["Reconciler:RefundFirstCheckSeconds"] = "1";
            settings["Reconciler:RefundMaxCheckIntervalSeconds"] = "1";
            settings["Reconciler:CrashedSagaGraceSeconds"] = GraceSeconds.ToString();
        },
        services: Gates.Install);
}

/// <summary>
/// The money after the checkout, end to end: every refund is a ledger row followed to its final state,
/// whoever started it; a refund that fails after it was accepted is parked and the order shows it; an
/// after-sales refund or one made in the gateway's dashboard reverses the order and the points; a
/// crashed saga is decided from what it did, never while an activity of it may still complete.
/// </summary>
public sealed class MoneyLedgerTests(MoneyLedgerFixture fixture) : IClassFixture<MoneyLedgerFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private MoneyLedger Money => Pipeline.Service<MoneyLedger>();

    [Fact]
    public async Task A_refund_accepted_then_failed_is_followed_to_its_end_parked_with_a_retry_and_the_order_shows_it_until_the_retry_pays()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-ml1", 2);
        var order = await Pipeline.RegisterOrderAsync("ml1", sku: "sku-ml1");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await ScriptRefundFaultsAsync(order.PaymentId, new { failAfterAcceptance = 1 });

        // Paid short: the saga refunds what was paid. The gateway answers the refund pending, then fails it.
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var key = "refund-" + order.PaymentId;
        Assert.Equal(nameof(RefundState.Pending), (await Money.FindRefundAsync(order.OrderId, key, null))!.State);

        // The tracker asks the gateway: failed. Parked with the retry under the next key; the order says so.
        var failed = await TrackUntilFinalAsync(order.OrderId, key);
        Assert.Equal(nameof(RefundState.Failed), failed.State);
        Assert.Equal(["request", "answer", "query"], failed.Observations.Select(o => o.Source));
        var parked = (await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId)))!;
        Assert.Equal("refund1-" + order.PaymentId, parked.Refund!.IdempotencyKey());
        Assert.Equal(OrderStatus.RefundPending, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);

        // The operator's retry pays out; the order's end is recorded again (issue 24, item 6).
        using (var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{parked.Key}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        }
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", cts.Token);
        }
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        var paid = (await Money.FindRefundAsync(order.OrderId, "refund1-" + order.PaymentId, null))!;
        Assert.Equal((nameof(RefundState.Succeeded), 2400L, "EUR"), (paid.State, paid.AmountMinor, paid.Currency));
        Assert.DoesNotContain(await Collect.AllAsync(Money.ListOpenRefundsAsync(DateTimeOffset.UtcNow.AddYears(1))), r => r.OrderId == order.OrderId);
        Assert.Equal(2400, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        await AssertEveryInvariantHoldsAsync();
    }

    [Fact]
    public async Task After_sales_refunds_partial_then_full_reverse_the_order_and_the_points_in_proportion_and_refuse_what_cannot_be()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-ml2", 2);
        var order = await CompletedOrderAsync("ml2", "sku-ml2");
        var points = Pipeline.Service<PointsLedger>();
        Assert.Equal(25, await points.GetBalanceAsync(order.CustomerId));

        Assert.Equal(HttpStatusCode.Accepted, await RefundAsync(order.OrderId, 1000, "rk-1"));
        await WaitForOrderAsync(order.OrderId, OrderStatus.PartiallyRefunded);
        Assert.Equal(25 - 10, await points.GetBalanceAsync(order.CustomerId)); // 40 % of 25 points, rounded up

        // The same key again is the same refund; with another amount it is refused; more than is left, too.
        Assert.Equal(HttpStatusCode.OK, await RefundAsync(order.OrderId, 1000, "rk-1"));
        Assert.Equal(HttpStatusCode.Conflict, await RefundAsync(order.OrderId, 900, "rk-1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await RefundAsync(order.OrderId, 1501, "rk-2"));
        Assert.Equal(HttpStatusCode.BadRequest, await RefundAsync(order.OrderId, 0, "rk-3"));
        Assert.Equal(HttpStatusCode.NotFound, await RefundAsync("ml2-none", 100, "rk-4"));

        Assert.Equal(HttpStatusCode.Accepted, await RefundAsync(order.OrderId, 1500, "rk-2"));
        var refunded = await WaitForOrderAsync(order.OrderId, OrderStatus.Refunded);
        Assert.Equal(0, await points.GetBalanceAsync(order.CustomerId));
        Assert.Equal(2500, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        var reversals = (await Collect.AllAsync(points.ListReversalsAsync())).Where(r => r.OrderId == order.OrderId).ToList();
        Assert.Equal([10L, 15L], reversals.Select(r => r.Points).Order());
        Assert.All(reversals, r => Assert.StartsWith(MoneyInitiators.OrderService + ":customer_return", r.Cause, StringComparison.Ordinal));
        Assert.Equal("customer_return", refunded.Reason);

        // A refunded order takes no more.
        Assert.Equal(HttpStatusCode.Conflict, await RefundAsync(order.OrderId, 1, "rk-5"));
        var movements = await Money.ListAsync(order.OrderId);
        Assert.Equal(1, movements.Count(m => m.Kind == MoneyKinds.Capture));
        Assert.All(movements.Where(m => m.Kind == MoneyKinds.Refund), m => Assert.Equal((nameof(RefundState.Succeeded), MoneyInitiators.OrderService), (m.State, m.Initiator)));
        await AssertEveryInvariantHoldsAsync();
    }

    [Fact]
    public async Task A_refund_made_in_the_gateway_s_dashboard_reaches_the_order_the_ledger_and_the_points()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-ml3", 2);
        var order = await CompletedOrderAsync("ml3", "sku-ml3");

        var refundId = Pipeline.Gateway.DashboardRefund(order.PaymentId, 500);
        var partly = await WaitForOrderAsync(order.OrderId, OrderStatus.PartiallyRefunded);
        Assert.Equal(RefundFollowUp.ExternalReason, partly.Reason);
        var external = (await Money.FindRefundAsync(order.OrderId, null, refundId))!;
        Assert.Equal((MoneyInitiators.Gateway, nameof(RefundState.Succeeded), 500L), (external.Initiator, external.State, external.AmountMinor));
        Assert.Equal(25 - 5, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));

        Pipeline.Gateway.DashboardRefund(order.PaymentId, 2000);
        await WaitForOrderAsync(order.OrderId, OrderStatus.Refunded);
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        await AssertEveryInvariantHoldsAsync();
    }

    /// <summary>
    /// Terminating a saga does not stop its running SettlePaidOrder: the sweep waits out the grace, then
    /// reads the order the activity completed, and refunds nothing. The customer paid and has the goods.
    /// </summary>
    [Fact]
    public async Task A_saga_terminated_inside_its_settle_step_is_not_refunded_when_the_step_completes_the_order()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-ml4", 2);
        var order = await Pipeline.RegisterOrderAsync("ml4", sku: "sku-ml4");
        fixture.Gates.HoldCommitThenCommit(order.OrderId);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await fixture.Gates.CommitReachedAsync(order.OrderId);
        await TerminateAsync(order.OrderId);

        // Within the grace the sweep decides nothing, however the gateway answers.
        Assert.Equal(0, (await ReconcileAsync()).CrashedSettled);
        fixture.Gates.LetCommitGo(order.OrderId);
        var completed = await WaitForOrderAsync(order.OrderId, OrderStatus.Completed);
        await Task.Delay(TimeSpan.FromSeconds(MoneyLedgerFixture.GraceSeconds + 1));
        await ReconcileAsync();

        Assert.Equal(OrderStatus.Completed, completed.Status);
        Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Null(await Pipeline.Durable.GetInstanceAsync(LatePaymentRefund.InstanceId(order.PaymentId)));
        Assert.Equal(25, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        Assert.Equal(new StockLevel("sku-ml4", 1, 0, 1), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-ml4"));
        await AssertEveryInvariantHoldsAsync();
    }

    /// <summary>
    /// A saga that dies before its payment is decided: the sweep closes the payment, releases the stock
    /// and cancels the order; the capture that lands the next day is refunded as a late payment, and the
    /// active query stops asking about the order.
    /// </summary>
    [Fact]
    public async Task A_saga_terminated_before_its_payment_is_cancelled_by_the_sweep_and_a_later_capture_is_refunded()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-ml5", 2);
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("ml5", sku: "sku-ml5");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await TerminateAsync(order.OrderId);
        await Task.Delay(TimeSpan.FromSeconds(MoneyLedgerFixture.GraceSeconds + 1));

        await ReconcileAsync();
        var cancelled = (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!;
        Assert.Equal((OrderStatus.Cancelled, CrashedSagaSweep.Reason), (cancelled.Status, cancelled.Reason));
        Assert.Equal(new StockLevel("sku-ml5", 2, 0, 0), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-ml5"));
        Assert.DoesNotContain(await Collect.AllAsync(Pipeline.Service<OrderBook>().ListAwaitingPaymentAsync(DateTimeOffset.UtcNow.AddDays(1))), o => o.OrderId == order.OrderId);

        // The customer pays anyway: the capture is refunded, not parked for ever.
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            while (Pipeline.Gateway.RefundsOf(order.PaymentId).Count == 0)
            {
                await Task.Delay(200, cts.Token);
            }
        }
        Assert.Equal(2500, Pipeline.Gateway.RefundsOf(order.PaymentId).Single().AmountMinor);
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        await AssertEveryInvariantHoldsAsync();
    }

    /// <summary>What each test stocks its sku with: the stock-conservation invariant counts from it.</summary>
    private static readonly Dictionary<string, long> Stocked = new()
    {
        ["sku-ml1"] = 2, ["sku-ml2"] = 2, ["sku-ml3"] = 2, ["sku-ml4"] = 2, ["sku-ml5"] = 2,
    };

    /// <summary>Every money invariant over everything this class's tests did so far (each test moves money, so each ends with all of them).</summary>
    private Task AssertEveryInvariantHoldsAsync() => MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);

    private Task<ReconcilerReport> ReconcileAsync() => Pipeline.Service<Reconciler>().RunAsync(Pipeline.Durable);

    private async Task TerminateAsync(string orderId)
    {
        await Pipeline.Durable.TerminateInstanceAsync(OrderSaga.InstanceId(orderId), "operator");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Pipeline.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(orderId), cts.Token);
    }

    private async Task<OrderRequest> CompletedOrderAsync(string orderId, string sku)
    {
        var order = await Pipeline.RegisterOrderAsync(orderId, sku: sku);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        return order;
    }

    private async Task<HttpStatusCode> RefundAsync(string orderId, long amount, string key)
    {
        using var reply = await Pipeline.Http.PostAsJsonAsync($"api/orders/{orderId}/refunds", new { amountMinor = amount, reason = "customer_return", idempotencyKey = key });
        return reply.StatusCode;
    }

    private async Task ScriptRefundFaultsAsync(string paymentId, object faults)
    {
        using var scripted = await Pipeline.GatewayHttp.PostAsJsonAsync($"sim/payments/{paymentId}/refund-faults", faults);
        Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
    }

    /// <summary>Runs the refund tracker until the refund is final (generously bounded; never a timing assertion).</summary>
    private async Task<MoneyMovement> TrackUntilFinalAsync(string orderId, string key)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            await Pipeline.Service<RefundTracker>().TrackAsync(cts.Token);
            if (await Money.FindRefundAsync(orderId, key, null, cts.Token) is { RefundState: { } state } movement && state.IsFinal())
            {
                return movement;
            }
            await Task.Delay(300, cts.Token);
        }
    }

    private async Task<OrderRecord> WaitForOrderAsync(string orderId, OrderStatus status)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            if (await Pipeline.Service<OrderBook>().GetAsync(orderId, cts.Token) is { } order && order.Status == status)
            {
                return order;
            }
            await Task.Delay(200, cts.Token);
        }
    }
}
