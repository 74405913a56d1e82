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
/// </summary>
public sealed class FailedRefundSweep(ParkedItems parked, ILogger<FailedRefundSweep> log)
{
    private static readonly OrchestrationQuery Crashed = new()
    {
        InstanceIdPrefix = LatePaymentRefund.InstanceId(""),
        Statuses = [OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated],
        FetchInputsAndOutputs = true,
        PageSize = 100,
    };

    public async Task<(int Restarted, int Parked)> SweepAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        int restarted = 0, parkedCount = 0;
        await foreach (var instance in durable.GetAllInstancesAsync(Crashed).WithCancellation(ct))
        {
            if (instance.ReadInputAs<LatePaymentInput>()?.Refund is not { } refund)
            {
                continue; // not a refund of ours
            }
            try
            {
                switch (await SettleAsync(durable, instance, refund, ct))
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
                log.CrashedSagaSweepFailed(ex, refund.OrderId);
            }
        }
        return (restarted, parkedCount);
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
