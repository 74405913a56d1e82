using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Payments.Recovery;

/// <summary>
/// The retry lane's scale-out: a backlog that outgrew one drain (the timer's drain spent its whole
/// budget with messages still due) is drained by <see cref="LaneOptions.ScaleOutWorkers"/> drain
/// workers at once. They are Durable activities, so the task hub's work-item queue spreads them over
/// every instance of the app, and a larger backlog is drained by more instances, not by one timer.
/// One fan-out at a time (a fixed instance id); it goes on (continue-as-new) while its workers still
/// run out of time, and ends when a round finds the lane drained.
/// </summary>
public static class LaneScaleOut
{
    public const string Name = "RetryLaneScaleOut";
    public const string WorkerName = "RetryLaneDrainWorker";
    public const string InstanceId = "lane-scale-out";

    private static readonly OrchestrationRuntimeStatus[] Live = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    public static async Task<LaneDrainReport> RunAsync(TaskOrchestrationContext context, int workers)
    {
        var rounds = Enumerable.Range(0, workers).Select(worker => context.CallActivityAsync<LaneDrainReport>(WorkerName, worker)).ToArray();
        var report = LaneDrainReport.Sum(await Task.WhenAll(rounds));
        if (report.BudgetSpent)
        {
            context.ContinueAsNew(workers);
        }
        return report;
    }

    /// <summary>
    /// Starts the fan-out unless one is live; an ended one is replaced. False when one was live
    /// (the Azure Storage backend refuses the start for the dedupe statuses given).
    /// </summary>
    public static async Task<bool> StartAsync(DurableTaskClient durable, int workers, CancellationToken ct)
    {
        if (await durable.GetInstanceAsync(InstanceId, ct) is { } existing && Live.Contains(existing.RuntimeStatus))
        {
            return false;
        }
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(Name, workers, new StartOrchestrationOptions(InstanceId).WithDedupeStatuses(Live), ct);
            return true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Another drain started it between our look and our start: not an error. Anything else is.
            if (await durable.GetInstanceAsync(InstanceId, ct) is { } raced && Live.Contains(raced.RuntimeStatus))
            {
                return false;
            }
            throw;
        }
    }
}
