using System.Net;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class SagaPathFixture : PipelineFixture
{
    public const string PermanentlyFailingSku = "sku-broken";

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("saga", settings =>
    {
        settings["Faults:PermanentFailureSkus"] = PermanentlyFailingSku;
    });
}

/// <summary>Every saga path that starts with a callback, ending in its terminal state with the right ledger rows.</summary>
public sealed class SagaPathTests(SagaPathFixture fixture) : IClassFixture<SagaPathFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StockLedger Stock => Pipeline.Service<StockLedger>();

    [Fact]
    public async Task Paid_order_completes_with_stock_committed_and_points_granted()
    {
        await Stock.SetLevelAsync("sku-paid", 10);
        var order = await Pipeline.RegisterOrderAsync("paid1", amount: 4200, sku: "sku-paid", quantity: 3);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);
        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), outcome);
        Assert.Equal(new StockLevel("sku-paid", 7, 0, 3), await Stock.GetLevelAsync("sku-paid"));
        Assert.Equal(ReservationState.Committed, await Stock.GetReservationAsync("sku-paid", order.OrderId));
        Assert.Equal(42, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        var record = await Pipeline.Service<OrderBook>().GetAsync(order.OrderId);
        Assert.Equal(OrderStatus.Completed, record!.Status);
        Assert.Equal(4200, record.PaidAmountMinor);
    }

    [Fact]
    public async Task Failed_payment_cancels_the_order_and_releases_stock()
    {
        await Stock.SetLevelAsync("sku-fail", 5);
        var order = await Pipeline.RegisterOrderAsync("failed1", sku: "sku-fail", quantity: 2);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        Assert.Equal(new StockLevel("sku-fail", 3, 2, 0), await Stock.GetLevelAsync("sku-fail"));

        await Pipeline.Gateway.FailAsync(order.PaymentId);
        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_failed"), outcome);
        Assert.Equal(new StockLevel("sku-fail", 5, 0, 0), await Stock.GetLevelAsync("sku-fail"));
        Assert.Equal(ReservationState.Released, await Stock.GetReservationAsync("sku-fail", order.OrderId));
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
    }

    [Fact]
    public async Task Amount_mismatch_refunds_what_was_paid_and_releases_stock()
    {
        await Stock.SetLevelAsync("sku-mismatch", 5);
        var order = await Pipeline.RegisterOrderAsync("mismatch1", amount: 3000, sku: "sku-mismatch");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2999);
        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), outcome);
        Assert.Equal(2999, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal(new StockLevel("sku-mismatch", 5, 0, 0), await Stock.GetLevelAsync("sku-mismatch"));
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
    }

    [Fact]
    public async Task Out_of_stock_cancels_the_order_and_closes_the_payment()
    {
        await Stock.SetLevelAsync("sku-scarce", 1);
        var order = await Pipeline.RegisterOrderAsync("oos1", sku: "sku-scarce", quantity: 2);

        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "out_of_stock"), outcome);
        Assert.Equal("closed", Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).Status);
        Assert.Equal(new StockLevel("sku-scarce", 1, 0, 0), await Stock.GetLevelAsync("sku-scarce"));
        Assert.Null(await Stock.GetReservationAsync("sku-scarce", order.OrderId));
    }

    [Fact]
    public async Task Permanent_stock_failure_refunds_the_payment()
    {
        await Stock.SetLevelAsync(SagaPathFixture.PermanentlyFailingSku, 5);
        var order = await Pipeline.RegisterOrderAsync("stockfail1", amount: 1800, sku: SagaPathFixture.PermanentlyFailingSku);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);
        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "stock_failed"), outcome);
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal(new StockLevel(SagaPathFixture.PermanentlyFailingSku, 5, 0, 0), await Stock.GetLevelAsync(SagaPathFixture.PermanentlyFailingSku));
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
    }

    [Fact]
    public async Task Late_payment_after_cancel_is_refunded_exactly_once()
    {
        await Stock.SetLevelAsync("sku-late", 4);
        var order = await Pipeline.RegisterOrderAsync("late1", amount: 2100, sku: "sku-late");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.FailAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        // The customer retries and pays after the cancel: the gateway's success webhook arrives, and a
        // second notice of the same payment under another event id on top.
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        var body = TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, 2100);
        using var second = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_late_second", body));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(order.PaymentId), getInputsAndOutputs: true, cts.Token);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "late_payment"), refund.ReadOutputAs<SagaOutcome>());
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal(2100, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        Assert.Equal(new StockLevel("sku-late", 4, 0, 0), await Stock.GetLevelAsync("sku-late"));

        // Already refunded by the pipeline: the day's statement shows no discrepancy for it.
        var statement = await Pipeline.Service<StatementReconciler>().ReconcileAsync(DateOnly.FromDateTime(DateTime.UtcNow), Pipeline.Durable);
        Assert.DoesNotContain(statement.Discrepancies, d => d.PaymentId == order.PaymentId);
    }

    [Fact]
    public async Task A_payment_event_for_a_terminated_saga_is_parked_for_an_operator_not_dropped()
    {
        await Stock.SetLevelAsync("sku-term", 2);
        var order = await Pipeline.RegisterOrderAsync("term1", sku: "sku-term");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Durable.TerminateInstanceAsync(OrderSaga.InstanceId(order.OrderId));
        await Pipeline.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(order.OrderId));

        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));

        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.SagaFailed, order.OrderId);
        Assert.NotNull(parked);
        Assert.Contains("Terminated", parked.Reason);
        Assert.Contains(order.PaymentId, parked.Detail);
    }
}
