using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Saga;

namespace Payments.Operations;

/// <summary>
/// Retention of the Durable task hub: finished instances created before <see cref="RetentionOptions.InstanceRetentionDays"/>
/// are purged, at most <see cref="RetentionOptions.MaxInstancesPerRun"/> a run. An instance the console's
/// timeline shows (an order's saga, its late-payment refund and the operator's retries of it) has its
/// timeline lines kept in <see cref="TimelineArchive"/> first, so the order's page still shows its steps
/// and outcome. What the money needs is in the money ledger and the order's row already, never in the history.
/// </summary>
public sealed class InstanceRetention(TimelineReader timelines, TimelineArchive archive, IOptions<RetentionOptions> options, TimeProvider clock)
{
    private static readonly OrchestrationRuntimeStatus[] Finished =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    public async Task<InstancePurgeReport> PurgeAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.InstanceRetentionDays);
        var query = new OrchestrationQuery { CreatedTo = cutoff, Statuses = Finished, PageSize = 100, FetchInputsAndOutputs = false };
        int purged = 0, kept = 0;
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            if (purged == options.Value.MaxInstancesPerRun)
            {
                return new InstancePurgeReport(purged, kept, More: true);
            }
            // Created long ago but finished only lately (an operator's late retry): kept until it too is old.
            if (instance.LastUpdatedAt > cutoff)
            {
                continue;
            }
            if (ShownOnTimeline(instance.InstanceId) && await timelines.InstanceAsync(instance.InstanceId, durable, ct) is { } lines)
            {
                await archive.KeepAsync(lines, ct);
                kept++;
            }
            purged += (await durable.PurgeInstanceAsync(instance.InstanceId, cancellation: ct)).PurgedInstanceCount;
        }
        return new InstancePurgeReport(purged, kept, More: false);
    }

    private static bool ShownOnTimeline(string instanceId) =>
        instanceId.StartsWith(OrderSaga.InstanceId(""), StringComparison.Ordinal) || instanceId.StartsWith(LatePaymentRefund.InstanceId(""), StringComparison.Ordinal);
}
