using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>Starts an orchestration under a fixed instance id at most once, indexed for its sweep first.</summary>
internal static class DurableStart
{
    private static readonly OrchestrationRuntimeStatus[] AnyStatus = [.. StartOrchestrationOptionsExtensions.ValidDedupeStatuses];

    /// <summary>
    /// Returns false when the instance already existed. Without dedupe statuses the Azure Storage
    /// backend would silently restart an existing instance; with them a concurrent duplicate start
    /// fails, and the re-check tells that apart from a real error.
    /// </summary>
    /// <param name="index">
    /// Where a saga or a <c>refund-…</c> orchestration is listed for the sweep that settles it should it
    /// fail (<see cref="OpenOrchestrationIndex"/>), written before the start so that no instance can run unlisted.
    /// </param>
    /// <param name="version">The orchestration version to stamp the instance with; null leaves it to the client's default.</param>
    public static async Task<bool> StartOnceAsync(DurableTaskClient client, OpenOrchestrationIndex index, string name, string instanceId, object input, CancellationToken ct, string? version = null)
    {
        if (SweptOrchestrations.KindOf(instanceId) is { } kind)
        {
            await index.AddAsync(kind, instanceId, ct: ct);
        }
        try
        {
            var options = new StartOrchestrationOptions(instanceId) { Version = version }.WithDedupeStatuses(AnyStatus);
            await client.ScheduleNewOrchestrationInstanceAsync(name, input, options, ct);
            return true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            if (await client.GetInstanceAsync(instanceId, ct) is null)
            {
                throw;
            }
            return false;
        }
    }
}
