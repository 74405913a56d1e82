using System.Net;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class SagaPathFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("saga");
}

/// <summary>
/// The saga end to end, from the gateway's webhook to the ledger rows: the paid path, and what only the
/// whole pipeline shows. Each branch of the saga on its own runs in milliseconds in Payments.Saga.Tests.
/// </summary>
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
    public async Task Late_payment_after_cancel_is_refunded_exactly_once()
    {
        // Out of stock: the saga closes the payment and cancels. The close found nothing to close
        // (the payment reached the gateway only afterwards), so the customer can still pay.
        await Stock.SetLevelAsync("sku-late", 0);
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("late1", amount: 2100, sku: "sku-late");
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await Pipeline.CreatePaymentAsync(order);

        // The customer pays after the cancel: the gateway's success webhook arrives, and a second
        // notice of the same payment under another event id on top.
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
        Assert.Equal(new StockLevel("sku-late", 0, 0, 0), await Stock.GetLevelAsync("sku-late"));

        // Already refunded by the pipeline: the day's statement shows no discrepancy for it.
        var statement = await Pipeline.ReconcileStatementAsync();
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
        // The order's row still says AwaitingPayment (a terminated saga writes no terminal status), so
        // intake raised the success on the row's word and marked it Raised; the relay's second look
        // finds the saga ended and parks the event (design note 34).
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);

        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.SagaFailed, order.OrderId);
        Assert.NotNull(parked);
        Assert.Contains("Terminated", parked.Reason);
        Assert.Contains(order.PaymentId, parked.Detail);
    }
}
