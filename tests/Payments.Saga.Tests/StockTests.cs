using Payments.Contracts;
using Payments.Gateway;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>Reserving stock before the payment and committing it after: each failure and its compensation.</summary>
public sealed class StockTests
{
    [Fact]
    public async Task Out_of_stock_closes_the_payment_and_cancels_without_releasing_stock()
    {
        var saga = await TestSaga.StartAsync(s => s.Returns(ReserveStock, ReserveResult.OutOfStock));

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "out_of_stock"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, ClosePayment], saga.Script.Flow);
        Assert.Equal(new PaymentRef(saga.Order.OrderId, "standard", saga.Order.PaymentId), Assert.Single(saga.Script.Requests<PaymentRef>(ClosePayment)));
        // Nothing reserved, nothing recorded before the cancel: the registration's row already says AwaitingPayment.
        Assert.Equal([OrderStatus.Cancelled], saga.Script.Recorded.Select(r => r.Status));
        Assert.Equal("Cancelled", await saga.CustomStatusAsync());
    }

    [Fact]
    public async Task Out_of_stock_with_the_payment_already_made_refunds_what_the_gateway_holds()
    {
        var saga = await TestSaga.StartAsync(s => s
            .Returns(ReserveStock, ReserveResult.OutOfStock)
            .Returns(ClosePayment, new CloseResult(Closed: false, 2400, "EUR")));

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "out_of_stock"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, ClosePayment, Refund], saga.Script.Flow);
        Assert.Equal(new RefundRequest(saga.Order.OrderId, "standard", saga.Order.PaymentId, 2400, "EUR", "out_of_stock"), Assert.Single(saga.Script.Refunds));
    }

    [Fact]
    public async Task Unreachable_stock_ledger_releases_what_may_be_held_closes_the_payment_and_cancels()
    {
        var saga = await TestSaga.StartAsync(s => s.AlwaysFails(ReserveStock));

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "stock_unavailable"), await saga.OutcomeAsync());
        // The folded HoldStock's one try, then the reservation on its own, retried through the outage bound.
        Assert.InRange(saga.Script.Attempts(ReserveStock), 1 + TestSaga.Settings.ActivityMaxAttempts, 1 + TestSaga.OutageAttempts);
        Assert.Equal([ReserveStock, ReleaseStock, ClosePayment], saga.Script.Flow);
        Assert.Empty(saga.Script.Parked);
    }

    [Fact]
    public async Task Unreachable_stock_ledger_with_the_payment_already_made_releases_once_and_refunds()
    {
        var saga = await TestSaga.StartAsync(s => s
            .AlwaysFails(ReserveStock)
            .Returns(ClosePayment, new CloseResult(Closed: false, 2500, "EUR")));

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "stock_unavailable"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, ReleaseStock, ClosePayment, Refund], saga.Script.Flow);
        Assert.Equal(1, saga.Script.Attempts(ReleaseStock));
        var refund = Assert.Single(saga.Script.Refunds);
        Assert.Equal((2500L, "stock_unavailable"), (refund.AmountMinor, refund.Reason));
    }

    [Fact]
    public async Task Close_that_fails_after_out_of_stock_is_parked_and_the_order_still_cancels()
    {
        var saga = await TestSaga.StartAsync(s => s
            .Returns(ReserveStock, ReserveResult.OutOfStock)
            .AlwaysFails(ClosePayment));

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "out_of_stock"), await saga.OutcomeAsync());
        Assert.Equal(TestSaga.Settings.ActivityMaxAttempts, saga.Script.Attempts(ClosePayment));
        var parked = Assert.Single(saga.Script.Parked);
        Assert.Equal((saga.Order.OrderId, ParkedKinds.CloseFailed), (parked.OrderId, parked.Kind));
        Assert.Contains("ClosePayment failed as scripted", parked.Detail);
        Assert.Empty(saga.Script.Refunds);
    }

    [Fact]
    public async Task Commit_stock_failure_refunds_and_releases_stock()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.Returns(CommitStock, CommitResult.Failed), amountMinor: 1800);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "stock_failed"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, CommitStock, ReleaseStock, Refund], saga.Script.Flow);
        Assert.Equal(new RefundRequest(saga.Order.OrderId, "standard", saga.Order.PaymentId, 1800, "EUR", "stock_failed"), Assert.Single(saga.Script.Refunds));
        Assert.Equal(["StockReserved", "Paid", "Refunded"], saga.Script.Recorded.Select(r => r.Step));
        Assert.Equal(0, saga.Script.Attempts(GrantPoints));
    }

    [Fact]
    public async Task Before_saga_4_a_commit_stock_that_keeps_throwing_counts_as_a_permanent_failure_and_refunds()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(CommitStock), version: SagaVersions.FoldedSteps);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "stock_failed"), await saga.OutcomeAsync());
        // The folded SettlePaidOrder's one try, then the commit on its own with its retries.
        Assert.Equal(1 + TestSaga.Settings.ActivityMaxAttempts, saga.Script.Attempts(CommitStock));
        Assert.Equal([ReserveStock, CommitStock, ReleaseStock, Refund], saga.Script.Flow);
    }

    [Fact]
    public async Task Commit_stock_failing_once_is_retried_and_the_order_completes()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.FailsFirst(CommitStock, 1));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(2, saga.Script.Attempts(CommitStock));
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Empty(saga.Script.Refunds);
    }

    [Fact]
    public async Task Release_that_fails_is_parked_and_the_order_still_cancels()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(ReleaseStock), TestSaga.DeclineWindow);

        await saga.FailAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_failed"), await saga.OutcomeAsync());
        Assert.Equal(TestSaga.Settings.ActivityMaxAttempts, saga.Script.Attempts(ReleaseStock));
        Assert.Equal(ParkedKinds.ReleaseFailed, Assert.Single(saga.Script.Parked).Kind);
    }
}
