using Payments.Contracts;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>The refund of a payment that succeeded after its order was cancelled, outside the order's saga.</summary>
public sealed class LatePaymentRefundTests
{
    [Fact]
    public async Task Late_payment_is_refunded_in_full_and_ends_refunded()
    {
        var refund = await TestSaga.LatePaymentRefundAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "late_payment"), await refund.OutcomeAsync());
        Assert.Equal([Refund], refund.Script.Flow);
        Assert.Equal(
            new RefundRequest(refund.Order.OrderId, "standard", refund.Order.PaymentId, refund.Order.AmountMinor, "EUR", "late_payment"),
            Assert.Single(refund.Script.Refunds));
        Assert.Equal("Refunding", refund.Script.StepAt(Refund));
        Assert.Equal("Refunded", await refund.CustomStatusAsync());
        Assert.Empty(refund.Script.Parked);
    }

    [Fact]
    public async Task Late_payment_refund_failing_once_is_retried_and_ends_refunded()
    {
        var refund = await TestSaga.LatePaymentRefundAsync(s => s.FailsFirst(Refund, 1));

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "late_payment"), await refund.OutcomeAsync());
        Assert.Equal(2, refund.Script.Attempts(Refund));
        Assert.Empty(refund.Script.Parked);
    }

    [Fact]
    public async Task Late_payment_refund_the_gateway_keeps_rejecting_is_parked_with_its_request()
    {
        var refund = await TestSaga.LatePaymentRefundAsync(s => s.AlwaysFails(Refund));

        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "late_payment"), await refund.OutcomeAsync());
        Assert.Equal(TestSaga.Settings.ActivityMaxAttempts, refund.Script.Attempts(Refund));
        var parked = Assert.Single(refund.Script.Parked);
        Assert.Equal((ParkedKinds.RefundFailed, Assert.Single(refund.Script.Refunds)), (parked.Kind, parked.Refund));
        // Under the refund orchestration's instance id: another refund of the same order is another item.
        Assert.Equal((LatePaymentRefund.InstanceId(parked.Refund!.PaymentId), parked.Refund.OrderId), (parked.ItemKey, parked.OrderId));
        Assert.Contains("Refund failed as scripted", parked.Detail);
        Assert.Equal("RefundPending", await refund.CustomStatusAsync());
    }

    [Fact]
    public async Task Settling_a_crashed_saga_releases_its_stock_refunds_and_records_the_order_refunded()
    {
        var refund = await TestSaga.LatePaymentRefundAsync(reason: "saga_failed", settleCrashedSaga: true);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "saga_failed"), await refund.OutcomeAsync());
        Assert.Equal([ReleaseStock, Refund], refund.Script.Flow);
        var recorded = Assert.Single(refund.Script.Recorded);
        Assert.Equal((OrderStatus.Refunded, "saga_failed"), (recorded.Status, recorded.Reason));
    }

    [Fact]
    public async Task Settling_a_crashed_saga_whose_refund_is_rejected_records_the_order_refund_pending_and_parks_it()
    {
        var refund = await TestSaga.LatePaymentRefundAsync(s => s.AlwaysFails(Refund), reason: "saga_failed", settleCrashedSaga: true);

        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "saga_failed"), await refund.OutcomeAsync());
        Assert.Equal(OrderStatus.RefundPending, Assert.Single(refund.Script.Recorded).Status);
        Assert.Equal(ParkedKinds.RefundFailed, Assert.Single(refund.Script.Parked).Kind);
    }
}
