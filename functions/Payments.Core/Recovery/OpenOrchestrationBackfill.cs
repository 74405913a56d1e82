using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// The one-off upgrade of a deployment whose sagas and refunds started before the open-orchestration
/// index: lists its instances not completed (running, pending, suspended, failed, terminated) by
/// prefix — the scan the sweeps no longer make, made once — and indexes each at its creation time.
/// Bounded and resumable: a run indexes at most <see cref="MaxPerRun"/> instances per kind (by default) and keeps
/// the listing's continuation, so the next run goes on from there; a kind listed to its end is not
/// listed again.
/// </summary>
public sealed class OpenOrchestrationBackfill(OpenOrchestrationIndex open, int maxPerRun = OpenOrchestrationBackfill.MaxPerRun)
{
    public const int MaxPerRun = 5_000;

    private static readonly OrchestrationRuntimeStatus[] NotCompleted =
    [
        OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended,
        OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated,
    ];

    /// <returns>The instances indexed by this run, and whether every kind has now been listed to its end.</returns>
    public async Task<(int Indexed, bool Done)> RunAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var indexed = 0;
        var done = true;
        foreach (var kind in new[] { OpenOrchestrationIndex.Sagas, OpenOrchestrationIndex.Refunds })
        {
            var (count, finished) = await IndexKindAsync(durable, kind, ct);
            indexed += count;
            done &= finished;
        }
        return (indexed, done);
    }

    private async Task<(int Indexed, bool Done)> IndexKindAsync(DurableTaskClient durable, string kind, CancellationToken ct)
    {
        var (continuation, done) = await open.ReadBackfillAsync(kind, ct);
        if (done)
        {
            return (0, true);
        }
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = SweptOrchestrations.PrefixOf(kind),
            Statuses = NotCompleted,
            PageSize = Math.Min(100, maxPerRun),
            ContinuationToken = continuation,
        };
        var indexed = 0;
        await foreach (var page in durable.GetAllInstancesAsync(query).AsPages(continuation).WithCancellation(ct))
        {
            foreach (var instance in page.Values)
            {
                await open.AddAsync(kind, instance.InstanceId, instance.CreatedAt, ct);
                indexed++;
            }
            // Saved after the page's rows: a run cut short indexes that page again (idempotent), never skips it.
            await open.SaveBackfillAsync(kind, page.ContinuationToken, done: string.IsNullOrEmpty(page.ContinuationToken), ct);
            if (string.IsNullOrEmpty(page.ContinuationToken))
            {
                return (indexed, true);
            }
            if (indexed >= maxPerRun)
            {
                return (indexed, false);
            }
        }
        await open.SaveBackfillAsync(kind, null, done: true, ct);
        return (indexed, true);
    }
}
