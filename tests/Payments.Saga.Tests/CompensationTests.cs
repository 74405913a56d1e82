using Payments.Contracts;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>Compensations that fail themselves, and a read model that lags: bounded retries, then parked, and the saga still ends.</summary>
public sealed class CompensationTests
{
    [Fact]
    public async Task Refund_that_keeps_failing_is_parked_with_its_request_and_the_order_ends_refund_pending()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(Refund), amountMinor: 3300);

        await saga.PayAsync(amountMinor: 3000);

        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "amount_mismatch"), await saga.OutcomeAsync());
        Assert.Equal(TestSaga.Settings.ActivityMaxAttempts, saga.Script.Attempts(Refund));
        var refund = Assert.Single(saga.Script.Refunds);
        var parked = Assert.Single(saga.Script.Parked);
        Assert.Equal((ParkedKinds.RefundFailed, refund), (parked.Kind, parked.Refund));
        // Keyed like a refund orchestration of the payment, not by the order: a failed second-capture refund of it is another item.
        Assert.Equal((LatePaymentRefund.InstanceId(refund.PaymentId), refund.OrderId), (parked.ItemKey, parked.OrderId));
        Assert.Equal(3000, refund.AmountMinor);
        Assert.Contains("Refund failed as scripted", parked.Detail);
        Assert.Equal(OrderStatus.RefundPending, saga.Script.Recorded[^1].Status);
        Assert.Equal("RefundPending", await saga.CustomStatusAsync());
    }

    [Fact]
    public async Task Refund_failing_once_is_retried_and_the_order_ends_refunded()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.FailsFirst(Refund, 1).Returns(CommitStock, CommitResult.Failed));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "stock_failed"), await saga.OutcomeAsync());
        Assert.Equal(2, saga.Script.Attempts(Refund));
        Assert.Single(saga.Script.Refunds);
        Assert.Empty(saga.Script.Parked);
    }

    [Fact]
    public async Task Read_model_that_cannot_record_is_parked_and_the_order_still_completes()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(RecordOrderState));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        // HoldStock reserved, then failed on its record: the saga took the two steps apart, reserving
        // again (idempotent) and parking the record; after the payment, the same for SettlePaidOrder.
        Assert.Equal([ReserveStock, ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.All(saga.Script.Parked, p => Assert.Equal(ParkedKinds.RecordFailed, p.Kind));
        Assert.Equal(
            [
                "The orders read model could not record AwaitingPayment (StockReserved).",
                "The orders read model could not record Paid (Paid).",
                "The orders read model could not record Paid (StockCommitted).",
                "The orders read model could not record Completed (Completed).",
            ],
            saga.Script.Parked.Select(p => p.Reason));
    }

    [Fact]
    public async Task Park_that_keeps_failing_is_retried_on_the_long_back_off_then_fails_the_saga_loudly()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(Park).AlwaysFails(Refund).Returns(CommitStock, CommitResult.Failed));

        await saga.PayAsync();

        var ended = await saga.EndAsync();
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Failed, ended.RuntimeStatus);
        Assert.Contains(nameof(SagaParkFailedException), ended.FailureDetails!.ErrorType, StringComparison.Ordinal);
        Assert.Contains(ParkedKinds.RefundFailed, ended.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        // The points budget (3 attempts), not a payment step's (2): parking is the saga's last word.
        Assert.Equal(TestSaga.Settings.PointsMaxAttempts, saga.Script.Attempts(Park));
    }
}
