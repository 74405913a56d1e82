using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// A refund never ends quietly unpaid. A refund orchestration (<c>refund-…</c>: late payment, second
/// capture, crashed saga, operator retry) that ended Failed or Terminated left a captured payment
/// without its refund, and every path that asks for that refund finds the instance and asks no
/// more. The sweep restarts it once, under the same instance id and with the same input (the
/// gateway's idempotency key is the payment, so a refund that did go out is not paid twice), and
/// parks it (<see cref="ParkedKinds.RefundCrashed"/>) so an operator sees it happened; if it ends so
/// again, its refund is parked as <see cref="ParkedKinds.RefundFailed"/> with the refund attached,
/// for the operator's retry (<c>POST /api/ops/refunds/{key}/retry</c>), with an error log and a metric.
/// Both items are keyed by the refund's instance id, so two refunds of one order are two items.
/// The refunds are found through the open-orchestration index (<see cref="OpenOrchestrationIndex"/>),
/// each looked at by id: never a listing of Durable instances by status, which reads every refund ever.
/// </summary>
public sealed class FailedRefundSweep(ParkedItems parked, OpenOrchestrationIndex open, TimeProvider clock, ILogger<FailedRefundSweep> log)
{
    /// <summary>An index row whose refund never started this long after it was written has none coming (a start that failed is retried under a row of its own).</summary>
    private static readonly TimeSpan NeverStartedAfter = TimeSpan.FromDays(1);

    public Task<SweepOutcome> SweepAsync(DurableTaskClient durable, CancellationToken ct = default) =>
        SweepAsync(durable, StepBudget.Unlimited(clock), ct);

    public async Task<SweepOutcome> SweepAsync(DurableTaskClient durable, StepBudget budget, CancellationToken ct = default)
    {
        int restarted = 0, parkedCount = 0, examined = 0, left = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in open.ListAsync(OpenOrchestrationIndex.Refunds, clock.GetUtcNow(), ct))
        {
            if (budget.Spent)
            {
                left++;
                continue;
            }
            examined++;
            try
            {
                switch (await LookAsync(durable, row, seen, ct))
                {
                    case true:
                        restarted++;
                        break;
                    case false:
                        parkedCount++;
                        break;
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.FailedRefundSweepFailed(ex, row.InstanceId);
            }
        }
        return new SweepOutcome(restarted, parkedCount, examined, left);
    }

    /// <summary>
    /// One point read of the refund decides what its row means: ended well, or never started long since
    /// (the row goes); failed or terminated (restarted, and the row stays for the restarted run; or
    /// parked for an operator, and the row goes); running (the row stays).
    /// </summary>
    /// <returns>As <see cref="SettleAsync"/>; null as well when nothing was done.</returns>
    private async Task<bool?> LookAsync(DurableTaskClient durable, OpenOrchestration row, HashSet<string> seen, CancellationToken ct)
    {
        if (!seen.Add(row.InstanceId))
        {
            await open.RemoveAsync(row, ct); // a second row for one refund (a start retried)
            return null;
        }
        var instance = await durable.GetInstanceAsync(row.InstanceId, getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            if (row.StartedAt < clock.GetUtcNow() - NeverStartedAfter)
            {
                await open.RemoveAsync(row, ct);
            }
            return null;
        }
        if (instance.RuntimeStatus is not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
        {
            if (instance.IsCompleted)
            {
                await open.RemoveAsync(row, ct);
            }
            return null;
        }
        if (instance.ReadInputAs<LatePaymentInput>()?.Refund is not { } refund)
        {
            await open.RemoveAsync(row, ct); // not a refund of ours
            return null;
        }
        var restarted = await SettleAsync(durable, instance, refund, ct);
        if (restarted is not true)
        {
            await open.RemoveAsync(row, ct); // parked for an operator: the sweep has done all it does
        }
        return restarted;
    }

    /// <returns>True when restarted; false when parked for an operator now; null when already parked.</returns>
    /// <remarks>
    /// Keyed by the refund's instance id, not its order: an order can have two refunds (its own payment
    /// and a second capture), and sharing one row made each look like the other's first crash, so
    /// neither was ever parked for the operator and both were restarted on every run.
    /// </remarks>
    private async Task<bool?> SettleAsync(DurableTaskClient durable, OrchestrationMetadata instance, RefundRequest refund, CancellationToken ct)
    {
        var cause = $"{instance.InstanceId} is {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage ?? "terminated"}";
        var restartedBefore = await parked.GetAsync(ParkedKinds.RefundCrashed, instance.InstanceId, ct);
        if (restartedBefore is null)
        {
            // Parked first: should the restart itself fail, the next run parks the refund for an operator instead of looping.
            await parked.ParkAsync(new ParkRequest(refund.OrderId, ParkedKinds.RefundCrashed,
                $"The refund of {refund.AmountMinor} {refund.Currency} ({refund.Reason}) ended {instance.RuntimeStatus}; restarted once automatically.", cause, refund, instance.InstanceId), ct);
            await durable.RestartAsync(instance.InstanceId, restartWithNewInstanceId: false, ct);
            PipelineMetrics.CrashedRefunds.Add(1, new KeyValuePair<string, object?>("action", "restarted"));
            log.CrashedRefundRestarted(refund.OrderId, instance.InstanceId, refund.PaymentId, instance.RuntimeStatus);
            return true;
        }
        if (await parked.GetAsync(ParkedKinds.RefundFailed, instance.InstanceId, ct) is { } failed && failed.ParkedAt >= restartedBefore.ParkedAt)
        {
            return null;
        }
        // Under the instance id: the operator's retry (POST /api/ops/refunds/{key}/retry) takes this key.
        await parked.ParkAsync(new ParkRequest(refund.OrderId, ParkedKinds.RefundFailed,
            $"The refund of {refund.AmountMinor} {refund.Currency} ({refund.Reason}) ended {instance.RuntimeStatus} again after its automatic restart; retry it.", cause, refund, instance.InstanceId), ct);
        PipelineMetrics.CrashedRefunds.Add(1, new KeyValuePair<string, object?>("action", "parked"));
        log.CrashedRefundParked(refund.OrderId, instance.InstanceId, refund.PaymentId, instance.RuntimeStatus);
        return false;
    }
}
