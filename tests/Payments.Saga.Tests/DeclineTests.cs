using Payments.Contracts;
using Payments.Gateway;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>
/// A decline is not final (Stripe, WeChat PAYERROR, Alipay: the customer may retry the same
/// payment): the saga keeps waiting until its window ends, then asks the gateway and closes the
/// payment before it cancels, so no success can land after the cancel unnoticed.
/// </summary>
public sealed class DeclineTests
{
    [Fact]
    public async Task Decline_then_success_within_the_window_completes_the_order()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(settings: TestSaga.DeclineWindow);

        await saga.FailAsync();
        await saga.WaitForStepAsync("PaymentDeclined");
        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Empty(saga.Script.Refunds);
    }

    [Fact]
    public async Task Decline_alone_waits_out_the_window_then_queries_and_closes_the_payment_before_cancelling()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(settings: TestSaga.DeclineWindow);

        await saga.FailAsync();
        await saga.WaitForStepAsync("PaymentDeclined");

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_failed"), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, ReleaseStock], saga.Script.Flow);
        Assert.Equal(["StockReserved", "Cancelled"], saga.Script.Recorded.Select(r => r.Step));
    }

    [Fact]
    public async Task Decline_then_a_success_the_gateway_reports_at_the_window_end_completes_the_order()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(
            s => s.Returns(QueryPayment, new GatewayPayment(GatewayPaymentState.Paid, 2500, "EUR")), TestSaga.DeclineWindow);

        await saga.FailAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, CommitStock, GrantPoints], saga.Script.Flow);
    }

    [Fact]
    public async Task Decline_then_a_success_slipping_in_before_the_close_completes_the_order()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(
            s => s.Returns(ClosePayment, new CloseResult(Closed: false, 2500, "EUR")), TestSaga.DeclineWindow);

        await saga.FailAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, QueryPayment, ClosePayment, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Empty(saga.Script.Refunds);
    }
}
