using Payments.Contracts;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>The saga's answer to the payment's callback while its window is open.</summary>
public sealed class PaymentEventTests
{
    [Fact]
    public async Task Paid_order_commits_stock_grants_points_and_completes()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(amountMinor: 4250);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Equal(new PointsRequest(saga.Order.OrderId, saga.Order.CustomerId, 42), Assert.Single(saga.Script.Requests<PointsRequest>(GrantPoints)));
        Assert.Equal(
            [
                ("StockReserved", OrderStatus.AwaitingPayment, null, null),
                ("Paid", OrderStatus.Paid, 4250L, "EUR"), ("StockCommitted", OrderStatus.Paid, null, null), ("Completed", OrderStatus.Completed, null, (string?)null),
            ],
            saga.Script.Recorded.Select(r => (r.Step, r.Status, r.PaidAmountMinor, r.PaidCurrency)));
        Assert.Equal(
            ("ReservingStock", "SettlingOrder", "SettlingOrder"),
            (saga.Script.StepAt(ReserveStock), saga.Script.StepAt(CommitStock), saga.Script.StepAt(GrantPoints)));
        Assert.Equal("Completed", await saga.CustomStatusAsync());
        Assert.Empty(saga.Script.Parked);
    }

    [Fact]
    public async Task Underpaid_order_releases_stock_and_refunds_what_was_paid()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(amountMinor: 3000);

        await saga.PayAsync(amountMinor: 2999);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, ReleaseStock, Refund], saga.Script.Flow);
        Assert.Equal(new RefundRequest(saga.Order.OrderId, "standard", saga.Order.PaymentId, 2999, "EUR", "amount_mismatch"), Assert.Single(saga.Script.Refunds));
        Assert.Equal("Refunding", saga.Script.StepAt(Refund));
        Assert.Equal(["StockReserved", "Refunded"], saga.Script.Recorded.Select(r => r.Step));
        Assert.Equal("Refunded", await saga.CustomStatusAsync());
    }

    [Fact]
    public async Task Payment_in_another_currency_releases_stock_and_refunds_it_in_that_currency()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(amountMinor: 3000);

        await saga.PayAsync(currency: "USD");

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, ReleaseStock, Refund], saga.Script.Flow);
        var refund = Assert.Single(saga.Script.Refunds);
        Assert.Equal((3000L, "USD"), (refund.AmountMinor, refund.Currency));
    }

    [Fact]
    public async Task Payment_events_after_the_first_are_ignored()
    {
        var saga = await TestSaga.AwaitingPaymentAsync();

        await saga.PayAsync();
        await saga.PayAsync();
        await saga.FailAsync();
        await saga.PayAsync(amountMinor: 1);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Equal((1, 1), (saga.Script.Attempts(CommitStock), saga.Script.Attempts(GrantPoints)));
        Assert.Single(saga.Script.Recorded, r => r.Step == "Paid");
    }

    [Fact]
    public async Task Refund_notice_while_awaiting_payment_is_ignored()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(settings: TestSaga.DeclineWindow);

        await saga.RaiseAsync(PaymentEventKind.Refunded);
        await saga.FailAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_failed"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
    }

    [Fact]
    public async Task Success_of_another_payment_while_awaiting_payment_is_ignored()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(settings: TestSaga.DeclineWindow);

        await saga.RaiseAsync(PaymentEventKind.Succeeded, paymentId: "pay-someone-else");
        await saga.FailAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_failed"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
    }

    [Fact]
    public async Task Success_from_another_gateway_than_the_order_s_is_ignored()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(settings: TestSaga.DeclineWindow);

        await saga.RaiseAsync(PaymentEventKind.Succeeded, provider: "adyen");
        await saga.FailAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_failed"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
    }

    [Fact]
    public async Task Payment_that_arrives_while_stock_is_being_reserved_is_applied_once_the_saga_waits()
    {
        var saga = await TestSaga.StartAsync();

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
    }
}
