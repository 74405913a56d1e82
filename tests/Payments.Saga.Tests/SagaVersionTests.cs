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
    public void Versions_compare_as_numbers_and_the_current_one_is_the_newest()
    {
        string[] ordered = [SagaVersions.First, SagaVersions.StockMilestones];
        Assert.Equal(SagaVersions.Current, ordered[^1]);
        Assert.All(ordered, v => Assert.Matches(SagaVersions.Pattern, v));
        // Bare numbers would compare as strings ("10" before "9"): the pattern asks for at least major.minor.
        Assert.True(Microsoft.DurableTask.Abstractions.TaskOrchestrationVersioningUtils.CompareVersions("10.0", "9.0") > 0, "10.0 is newer than 9.0");
        Assert.DoesNotMatch(SagaVersions.Pattern, "10");
        Assert.True(Microsoft.DurableTask.Abstractions.TaskOrchestrationVersioningUtils.CompareVersions("", SagaVersions.First) < 0, "an unversioned saga is older than the first version");
    }
}
