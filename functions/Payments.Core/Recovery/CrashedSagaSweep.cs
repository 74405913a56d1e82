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
    StockLedger stock,
    IPointsGrants points,
    MoneyLedger money,
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
            if (instance.ReadInputAs<OrderSagaInput>() is not { Order: { } order } input
                || await durable.GetInstanceAsync(LatePaymentRefund.InstanceId(order.PaymentId), ct) is not null)
            {
                continue; // not ours to read, or already being settled
            }
            try
            {
                switch (await SettleAsync(durable, instance, input, ct))
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

    /// <summary>
    /// Decides a saga that failed or was terminated from what it did, never from the gateway's word
    /// alone: only once no activity of it can still be running (<see cref="ReconcilerOptions.CrashedSagaGraceSeconds"/>);
    /// not at all when it had recorded its end (that decision stands); forward when it had committed the
    /// stock of a captured payment (points granted once, Completed: the customer paid and gets the goods);
    /// back when it had not (refund, stock released, Refunded); and with nothing captured, the payment is
    /// closed, the stock released and the order Cancelled, so a capture that lands later is refunded as any
    /// late payment and the active query stops asking.
    /// </summary>
    /// <returns>True when the sweep settled the payment now (completed or refunding); false when it cancelled the order or parked it with nothing captured; null when nothing changed.</returns>
    private async Task<bool?> SettleAsync(DurableTaskClient durable, OrchestrationMetadata instance, OrderSagaInput input, CancellationToken ct)
    {
        var order = input.Order;
        if (instance.LastUpdatedAt > clock.GetUtcNow() - TimeSpan.FromSeconds(options.Value.CrashedSagaGraceSeconds))
        {
            return null;
        }
        var cause = $"Saga {instance.InstanceId} is {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage ?? "terminated"}";
        if (await orders.GetAsync(order.OrderId, ct) is { } row && OrderLifecycle.IsTerminal(row.Status))
        {
            // The saga (or an activity that outlived it) recorded the order's end: that decision stands; the operator is told once.
            await ParkAsync(order, $"The saga ended {instance.RuntimeStatus} after its order had ended {row.Status}; nothing left to settle.", cause, ct);
            return null;
        }
        var payment = await gateway.QueryPaymentAsync(new PaymentRef(order.OrderId, order.Provider, order.PaymentId), ct);
        if (payment.State != GatewayPaymentState.Paid)
        {
            var close = await gateway.ClosePaymentAsync(new PaymentRef(order.OrderId, order.Provider, order.PaymentId), ct);
            if (!close.AlreadyPaid)
            {
                await stock.ReleaseAsync(new StockRequest(order.OrderId, order.Lines), ct);
                await orders.ApplyAsync(new OrderStateChange(order.OrderId, OrderStatus.Cancelled, Reason, nameof(OrderStatus.Cancelled)), ct);
                await ParkAsync(order, $"The saga ended {instance.RuntimeStatus} before its payment; the payment was closed, the stock released and the order cancelled.", cause, ct);
                PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "cancelled"));
                log.CrashedSagaParked(order.OrderId, instance.RuntimeStatus, payment.State);
                return false;
            }
            payment = new GatewayPayment(GatewayPaymentState.Paid, close.PaidAmountMinor, close.Currency); // paid just before the close
        }
        if (payment.PaidAmountMinor == order.AmountMinor && payment.Currency == order.Currency && await CommittedAsync(order, ct))
        {
            await points.GrantAsync(PointsRequest.For(order, input.Settings.PointsPerMajorUnit), ct);
            await money.RecordCaptureAsync(order.OrderId, order.Provider, order.PaymentId, payment.PaidAmountMinor, payment.Currency, "crashed_saga_sweep", ct);
            if (await orders.ApplyAsync(new OrderStateChange(order.OrderId, OrderStatus.Completed, Reason, nameof(OrderStatus.Completed)), ct) == RecordResult.Recorded)
            {
                await money.Watch.SettledByOrderAsync(order.OrderId, order.PaymentId, order.CustomerId, ct);
            }
            else
            {
                await money.Watch.PointsMovedAsync(order.CustomerId, ct);
            }
            await ParkAsync(order, $"The saga ended {instance.RuntimeStatus} after it committed the stock of its captured payment; the sweep completed the order.", cause, ct);
            PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "completed"));
            log.CrashedSagaCompleted(order.OrderId, order.PaymentId, instance.RuntimeStatus);
            return true;
        }
        await ParkAsync(order, $"The saga ended {instance.RuntimeStatus} after its payment was captured and before its stock was committed; refunding {payment.PaidAmountMinor} {payment.Currency}.", cause, ct);
        var refund = new RefundRequest(order.OrderId, order.Provider, order.PaymentId, payment.PaidAmountMinor, payment.Currency, Reason);
        await dispatch.StartRefundOnceAsync(durable, new LatePaymentInput(refund, dispatch.RefundSettings, new StockRequest(order.OrderId, order.Lines), RecordOrder: true), ct);
        PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "refund_started"));
        log.CrashedSagaRefunded(order.OrderId, order.PaymentId, instance.RuntimeStatus);
        return true;
    }

    /// <summary>Every line of the order's stock committed: the saga got past its commit step.</summary>
    private async Task<bool> CommittedAsync(OrderRequest order, CancellationToken ct)
    {
        foreach (var line in order.Lines)
        {
            if (await stock.GetReservationAsync(line.Sku, order.OrderId, ct) != ReservationState.Committed)
            {
                return false;
            }
        }
        return true;
    }

    private Task ParkAsync(OrderRequest order, string reason, string cause, CancellationToken ct) =>
        parked.ParkAsync(new ParkRequest(order.OrderId, ParkedKinds.SagaCrashed, reason, cause, ReopenResolved: false), ct);

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
