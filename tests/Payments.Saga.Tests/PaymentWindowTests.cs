using Payments.Contracts;
using Payments.Gateway;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>The payment window closes with no decisive callback, and the saga asks the gateway what became of the payment.</summary>
public sealed class PaymentWindowQueryTests
{
    [Fact]
    public async Task Timeout_with_the_gateway_reporting_paid_continues_and_completes()
    {
        var saga = await TestSaga.StartAsync(
            s => s.Returns(QueryPayment, new GatewayPayment(GatewayPaymentState.Paid, 2500, "EUR")), TestSaga.ShortWindow);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Equal("QueryingPayment", saga.Script.StepAt(QueryPayment));
        var paid = Assert.Single(saga.Script.Recorded, r => r.Step == "Paid");
        Assert.Equal((2500L, "EUR"), (paid.PaidAmountMinor, paid.PaidCurrency));
    }

    [Fact]
    public async Task Timeout_with_the_gateway_reporting_a_different_amount_refunds_it()
    {
        var saga = await TestSaga.StartAsync(
            s => s.Returns(QueryPayment, new GatewayPayment(GatewayPaymentState.Paid, 1000, "EUR")), TestSaga.ShortWindow);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ReleaseStock, Refund], saga.Script.Flow);
        Assert.Equal(1000, Assert.Single(saga.Script.Refunds).AmountMinor);
    }

    [Fact]
    public async Task Timeout_with_the_gateway_query_failing_settles_by_closing_the_payment()
    {
        var saga = await TestSaga.StartAsync(s => s.AlwaysFails(QueryPayment), TestSaga.ShortWindow);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await saga.OutcomeAsync());
        Assert.Equal(TestSaga.Settings.ActivityMaxAttempts, saga.Script.Attempts(QueryPayment));
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
        Assert.Empty(saga.Script.Parked);
    }
}

/// <summary>The gateway does not report the payment paid when the window closes: closing it there makes "unpaid" final, or reveals a late payment.</summary>
public sealed class PaymentWindowCloseTests
{
    [Fact]
    public async Task Timeout_with_the_gateway_reporting_unpaid_closes_the_payment_releases_stock_and_cancels()
    {
        var saga = await TestSaga.StartAsync(settings: TestSaga.ShortWindow);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
        Assert.Equal("ClosingPayment", saga.Script.StepAt(ClosePayment));
        Assert.Equal(["StockReserved", "Cancelled"], saga.Script.Recorded.Select(r => r.Step));
        Assert.Equal("Cancelled", await saga.CustomStatusAsync());
    }

    [Fact]
    public async Task Timeout_with_a_payment_landing_before_the_close_continues_and_completes()
    {
        var saga = await TestSaga.StartAsync(
            s => s.Returns(ClosePayment, new CloseResult(Closed: false, 2500, "EUR")), TestSaga.ShortWindow);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Empty(saga.Script.Refunds);
    }

    [Fact]
    public async Task Timeout_with_the_close_failing_parks_it_and_cancels()
    {
        var saga = await TestSaga.StartAsync(s => s.AlwaysFails(ClosePayment), TestSaga.ShortWindow);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
        Assert.Equal(ParkedKinds.CloseFailed, Assert.Single(saga.Script.Parked).Kind);
    }

    [Fact]
    public async Task Ignored_events_still_leave_the_window_to_time_out()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(settings: TestSaga.ShortWindow);

        await saga.RaiseAsync(PaymentEventKind.Refunded);
        await saga.RaiseAsync(PaymentEventKind.Succeeded, paymentId: "pay-someone-else");

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
    }
}
