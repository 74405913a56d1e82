using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// No saga ends without a decision for its payment. Sagas that failed or were terminated are found
/// by their Durable status; a captured payment of theirs is refunded (with the order's stock
/// released and its end recorded, through the payment's one refund orchestration), and each is
/// parked for an operator with a metric. A saga still running but stuck in Paid past a bound is
/// parked the same way (it may yet finish; an operator decides). And a cancelled order whose payment
/// could not be closed is watched: a capture that lands on it later is refunded even if its webhook
/// is lost.
/// </summary>
public sealed class CrashedSagaSweep(
    OrderBook orders,
    IPaymentGateway gateway,
    PaymentDispatch dispatch,
    ParkedItems parked,
    IOptions<ReconcilerOptions> options,
    TimeProvider clock,
    ILogger<CrashedSagaSweep> log)
{
    public const string Reason = "saga_failed";

    /// <summary>How long after a failed close (or a crash with nothing captured) the sweep keeps asking the gateway about that payment.</summary>
    private static readonly TimeSpan UnclosedWatch = TimeSpan.FromDays(1);

    private static readonly OrchestrationQuery Crashed = new()
    {
        InstanceIdPrefix = OrderSaga.InstanceId(""),
        Statuses = [OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated],
        FetchInputsAndOutputs = true,
        PageSize = 100,
    };

    public async Task<(int Settled, int Parked)> SweepAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        int settled = 0, parkedCount = 0;
        await foreach (var instance in durable.GetAllInstancesAsync(Crashed).WithCancellation(ct))
        {
            if (instance.ReadInputAs<OrderSagaInput>()?.Order is not { } order
                || await durable.GetInstanceAsync(LatePaymentRefund.InstanceId(order.PaymentId), ct) is not null)
            {
                continue; // not ours to read, or already being settled
            }
            try
            {
                switch (await SettleAsync(durable, instance, order, ct))
                {
                    case true:
                        settled++;
                        break;
                    case false:
                        parkedCount++;
                        break;
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.CrashedSagaSweepFailed(ex, order.OrderId);
            }
        }
        parkedCount += await ParkStuckAsync(durable, ct);
        settled += await RefundCapturesAfterFailedCloseAsync(durable, ct);
        return (settled, parkedCount);
    }

    /// <summary>
    /// A cancelled order whose payment could not be closed (parked <see cref="ParkedKinds.CloseFailed"/>)
    /// may still be paid, and its webhook may be lost: the gateway is asked, and a capture gets the
    /// late-payment refund. Looked at for a day after the park; the statement covers anything later.
    /// </summary>
    private async Task<int> RefundCapturesAfterFailedCloseAsync(DurableTaskClient durable, CancellationToken ct)
    {
        var refunded = 0;
        await foreach (var item in parked.ListAsync(ParkedKinds.CloseFailed, clock.GetUtcNow() - UnclosedWatch, ct))
        {
            try
            {
                if (await orders.GetAsync(item.OrderId, ct) is not { Status: OrderStatus.Cancelled } order
                    || await durable.GetInstanceAsync(LatePaymentRefund.InstanceId(order.PaymentId), ct) is not null)
                {
                    continue;
                }
                var payment = await gateway.QueryPaymentAsync(new PaymentRef(order.OrderId, order.Provider, order.PaymentId), ct);
                if (payment.State != GatewayPaymentState.Paid)
                {
                    continue;
                }
                var captured = PaymentEvent.Recovered("unclosed", order.Provider, order.PaymentId, order.OrderId, payment.PaidAmountMinor, payment.Currency, clock.GetUtcNow());
                if (await dispatch.ApplyAsync(durable, captured, ct) == DispatchResult.LatePaymentRefund)
                {
                    refunded++;
                    PipelineMetrics.CallbacksRecovered.Add(1, new KeyValuePair<string, object?>("path", "unclosed_payment"));
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.CrashedSagaSweepFailed(ex, item.OrderId);
            }
        }
        return refunded;
    }

    /// <returns>True when a refund was started; false when the saga was parked now with nothing captured; null when nothing changed.</returns>
    private async Task<bool?> SettleAsync(DurableTaskClient durable, OrchestrationMetadata instance, OrderRequest order, CancellationToken ct)
    {
        var alreadyParked = await parked.GetAsync(ParkedKinds.SagaCrashed, order.OrderId, ct);
        if (alreadyParked is not null && alreadyParked.ParkedAt < clock.GetUtcNow() - UnclosedWatch)
        {
            return null; // parked a day ago with nothing captured: the statement covers anything later
        }
        var payment = await gateway.QueryPaymentAsync(new PaymentRef(order.OrderId, order.Provider, order.PaymentId), ct);
        var cause = $"Saga {instance.InstanceId} is {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage ?? "terminated"}";
        if (payment.State == GatewayPaymentState.Paid)
        {
            await parked.ParkAsync(new ParkRequest(order.OrderId, ParkedKinds.SagaCrashed,
                $"The saga ended {instance.RuntimeStatus} after its payment was captured; refunding {payment.PaidAmountMinor} {payment.Currency}.", cause), ct);
            var refund = new RefundRequest(order.OrderId, order.Provider, order.PaymentId, payment.PaidAmountMinor, payment.Currency, Reason);
            await dispatch.StartRefundOnceAsync(durable, new LatePaymentInput(refund, dispatch.RefundSettings, new StockRequest(order.OrderId, order.Lines), RecordOrder: true), ct);
            PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "refund_started"));
            log.CrashedSagaRefunded(order.OrderId, order.PaymentId, instance.RuntimeStatus);
            return true;
        }
        // Nothing captured (yet): an operator decides; the next sweep looks at the gateway again.
        if (alreadyParked is null)
        {
            await parked.ParkAsync(new ParkRequest(order.OrderId, ParkedKinds.SagaCrashed,
                $"The saga ended {instance.RuntimeStatus}; its payment is {payment.State} at the gateway.", cause), ct);
            PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "parked"));
            log.CrashedSagaParked(order.OrderId, instance.RuntimeStatus, payment.State);
            return false;
        }
        return null;
    }

    /// <summary>Orders the read model has shown Paid for longer than any saga step should take, their saga still running.</summary>
    private async Task<int> ParkStuckAsync(DurableTaskClient durable, CancellationToken ct)
    {
        var stuckBefore = clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.StuckPaidAfterMinutes);
        var count = 0;
        await foreach (var order in orders.ListAsync(OrderStatus.Paid, ct))
        {
            if (order.UpdatedAt > stuckBefore
                || await durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId), ct) is not { IsCompleted: false }
                || await parked.GetAsync(ParkedKinds.SagaStuck, order.OrderId, ct) is not null)
            {
                continue;
            }
            await parked.ParkAsync(new ParkRequest(order.OrderId, ParkedKinds.SagaStuck,
                $"Paid since {order.UpdatedAt:u} and its saga has not finished.", $"Saga step: {order.Step}"), ct);
            PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "stuck"));
            log.SagaStuckInPaid(order.OrderId, order.UpdatedAt);
            count++;
        }
        return count;
    }
}
