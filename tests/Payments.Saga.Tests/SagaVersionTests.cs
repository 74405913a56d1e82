using Payments.Contracts;
using Payments.Saga.Tests.Infrastructure;
using static Payments.Saga.SagaActivityNames;

namespace Payments.Saga.Tests;

/// <summary>
/// A saga runs the steps of the version it was stamped with at its start, not the newest the worker
/// knows: its replays must match the history it wrote under that version.
/// </summary>
public sealed class SagaVersionTests
{
    [Theory]
    [InlineData(null)] // started before sagas were versioned
    [InlineData(SagaVersions.First)]
    public async Task A_saga_stamped_before_the_stock_milestones_runs_its_first_steps_and_completes(string? version)
    {
        var saga = await TestSaga.AwaitingPaymentAsync(version: version, test: $"v{version ?? "none"}");

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([ReserveStock, CommitStock, GrantPoints], saga.Script.Flow);
        Assert.Equal(["Registered", "Paid", "Completed"], saga.Script.Recorded.Select(r => r.Step));
    }

    [Fact]
    public async Task A_saga_stamped_with_the_stock_milestones_records_its_reservation_before_waiting_and_its_commit_before_points()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(version: SagaVersions.StockMilestones);
        Assert.Equal(["Registered", "StockReserved"], saga.Script.Recorded.Select(r => r.Step));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(["Registered", "StockReserved", "Paid", "StockCommitted", "Completed"], saga.Script.Recorded.Select(r => r.Step));
        var committed = saga.Script.Calls.Single(c => c.Activity == RecordOrderState && ((OrderStateChange)c.Input).Step == "StockCommitted");
        Assert.True(committed.StartedAt < saga.Script.Calls.First(c => c.Activity == GrantPoints).StartedAt, "StockCommitted is recorded before points are granted");
    }

    [Fact]
    public async Task A_saga_stamped_with_the_stock_milestones_schedules_every_step_and_record_as_its_own_activity()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(version: SagaVersions.StockMilestones);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(
            [RecordOrderState, ReserveStock, RecordOrderState, RecordOrderState, CommitStock, RecordOrderState, GrantPoints, RecordOrderState],
            saga.Script.Scheduled);
    }

    [Fact]
    public async Task A_saga_stamped_with_the_folded_steps_reserves_in_one_activity_and_settles_the_paid_order_in_one_more()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(version: SagaVersions.FoldedSteps);
        Assert.Equal([HoldStock], saga.Script.Scheduled);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal([HoldStock, SettlePaidOrder], saga.Script.Scheduled);
        // The same milestones as 2.0, in the same order, written inside the two activities.
        Assert.Equal(["StockReserved", "Paid", "StockCommitted", "Completed"], saga.Script.Recorded.Select(r => r.Step));
        Assert.Equal("Completed", await saga.CustomStatusAsync());
    }

    [Fact]
    public async Task A_folded_step_that_fails_is_taken_apart_into_the_separate_steps_and_the_order_still_completes()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.FailsFirst(GrantPoints, 1), version: SagaVersions.FoldedSteps);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        // The folded try failed at the grant; the separate steps then run (the ones it did are idempotent).
        Assert.Equal([HoldStock, SettlePaidOrder, RecordOrderState, CommitStock, RecordOrderState, GrantPoints, RecordOrderState], saga.Script.Scheduled);
        Assert.Empty(saga.Script.Parked);
    }

    [Fact]
    public void Versions_compare_as_numbers_and_the_current_one_is_the_newest()
    {
        string[] ordered = [SagaVersions.First, SagaVersions.StockMilestones, SagaVersions.FoldedSteps, SagaVersions.OutageRetries];
        Assert.Equal(SagaVersions.Current, ordered[^1]);
        Assert.All(ordered, v => Assert.Matches(SagaVersions.Pattern, v));
        // Bare numbers would compare as strings ("10" before "9"): the pattern asks for at least major.minor.
        Assert.True(Microsoft.DurableTask.Abstractions.TaskOrchestrationVersioningUtils.CompareVersions("10.0", "9.0") > 0, "10.0 is newer than 9.0");
        Assert.DoesNotMatch(SagaVersions.Pattern, "10");
        Assert.True(Microsoft.DurableTask.Abstractions.TaskOrchestrationVersioningUtils.CompareVersions("", SagaVersions.First) < 0, "an unversioned saga is older than the first version");
    }
}
