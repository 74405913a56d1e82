using Payments.Contracts;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>
/// Saga 4.0: a storage outage is ridden out, not taken for an answer. The steps after a capture and
/// the reservation before it retry for <see cref="SagaSettings.StorageOutage"/>; a commit that still
/// cannot reach the ledger parks the paid order, and only the ledger's answer <see cref="CommitResult.Failed"/>
/// refunds (<see cref="StockTests.Commit_stock_failure_refunds_and_releases_stock"/>).
/// </summary>
public sealed class StorageOutageTests
{
    /// <summary>More failures than the folded try and the step's own retries together: 3.0 refunded here.</summary>
    private static readonly int LongerThanTheStepRetries = 1 + TestSaga.Settings.ActivityMaxAttempts + 2;

    [Fact]
    public async Task A_commit_failing_longer_than_the_step_retries_is_ridden_out_and_the_order_completes_without_a_refund()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.FailsFirst(CommitStock, LongerThanTheStepRetries));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(LongerThanTheStepRetries + 1, saga.Script.Attempts(CommitStock));
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Empty(saga.Script.Refunds);
        Assert.Empty(saga.Script.Parked);
        Assert.Equal(0, saga.Script.Attempts(ReleaseStock));
    }

    [Fact]
    public async Task A_read_model_failing_longer_than_the_step_retries_after_the_capture_is_ridden_out_and_nothing_is_parked()
    {
        var saga = await TestSaga.AwaitingPaymentAsync();
        // The StockReserved record was the first call; the folded Paid record and the separate one's first tries fail.
        saga.Script.FailsFirst(RecordOrderState, 1 + LongerThanTheStepRetries);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Empty(saga.Script.Parked);
        Assert.Equal(["StockReserved", "Paid", "StockCommitted", "Completed"], saga.Script.Recorded.Select(r => r.Step).Distinct());
        Assert.Empty(saga.Script.Refunds);
    }

    [Fact]
    public async Task A_commit_that_never_reaches_the_ledger_within_the_outage_bound_parks_the_paid_order_and_refunds_nothing()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(CommitStock), amountMinor: 1900);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Paid, "stock_commit_parked"), await saga.OutcomeAsync());
        // Bounded: the folded try, then at most the outage policy's tries.
        Assert.InRange(saga.Script.Attempts(CommitStock), 1 + TestSaga.Settings.ActivityMaxAttempts, 1 + TestSaga.OutageAttempts);
        Assert.Empty(saga.Script.Refunds);
        Assert.Equal(0, saga.Script.Attempts(ReleaseStock));
        Assert.Equal(0, saga.Script.Attempts(GrantPoints));
        var parked = Assert.Single(saga.Script.Parked);
        Assert.Equal((saga.Order.OrderId, ParkedKinds.CommitFailed, (RefundRequest?)null), (parked.OrderId, parked.Kind, parked.Refund));
        Assert.Contains("Paid 1900 EUR", parked.Reason, StringComparison.Ordinal);
        Assert.Equal((OrderStatus.Paid, "stock_commit_parked", "CommitParked"), saga.Script.Recorded[^1] is var last ? (last.Status, last.Reason, last.Step) : default);
        Assert.Equal("CommitParked", await saga.CustomStatusAsync());
    }

    [Fact]
    public async Task A_reservation_failing_longer_than_the_step_retries_is_ridden_out_and_the_order_waits_for_its_payment()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.FailsFirst(ReserveStock, LongerThanTheStepRetries));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(LongerThanTheStepRetries + 1, saga.Script.Attempts(ReserveStock));
        Assert.Equal(0, saga.Script.Attempts(ClosePayment));
        Assert.Equal(0, saga.Script.Attempts(ReleaseStock));
        Assert.Empty(saga.Script.Parked);
    }

    [Fact]
    public void The_outage_policy_is_bounded_by_the_setting_with_waits_doubling_up_to_a_minute()
    {
        var production = new SagaOptions().ToSettings();
        var policy = production.OutageRetry().Retry!.Policy!;

        // 10 minutes from 2 s: waits 2, 4, 8, 16, 32, then a minute each while they fit (8 of them).
        Assert.Equal((14, TimeSpan.FromSeconds(2), 2.0, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10)),
            (policy.MaxNumberOfAttempts, policy.FirstRetryInterval, policy.BackoffCoefficient, policy.MaxRetryInterval, policy.RetryTimeout));
        // A saga input written before the setting existed keeps the step policy.
        Assert.Equal(production.StepRetry().Retry!.Policy!.MaxNumberOfAttempts,
            (production with { StorageOutage = TimeSpan.Zero }).OutageRetry().Retry!.Policy!.MaxNumberOfAttempts);
    }
}
