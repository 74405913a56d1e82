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
/// through the open-orchestration index (<see cref="OpenOrchestrationIndex"/>: a row per saga not yet
/// seen ended and settled, each looked at by id), never by listing Durable instances by status; a
/// captured payment of theirs is refunded (with the order's stock released and its end recorded,
/// through the payment's one refund orchestration), and each is parked for an operator with a metric.
/// A saga still running but stuck in Paid past a bound is parked the same way (it may yet finish; an
/// operator decides). And a cancelled order whose payment could not be closed is watched: a capture
/// that lands on it later is refunded even if its webhook is lost.
/// </summary>
public sealed class CrashedSagaSweep(
    OrderBook orders,
    StockLedger stock,
    IPointsGrants points,
    MoneyLedger money,
    IPaymentGateway gateway,
    PaymentDispatch dispatch,
    ParkedItems parked,
    OpenOrchestrationIndex open,
    IOptions<ReconcilerOptions> options,
    TimeProvider clock,
    ILogger<CrashedSagaSweep> log)
{
    public const string Reason = "saga_failed";

    /// <summary>How long after a failed close (or a crash with nothing captured) the sweep keeps asking the gateway about that payment.</summary>
    private static readonly TimeSpan UnclosedWatch = TimeSpan.FromDays(1);

    /// <summary>An index row whose saga never started this long after it was written has no saga coming (healing starts one within minutes, under a row of its own).</summary>
    private static readonly TimeSpan NeverStartedAfter = TimeSpan.FromDays(1);

    private enum Settlement
    {
        Waiting,
        Stands,
        Settled,
        Parked,
    }

    private enum Look
    {
        Nothing,
        Settled,
        Parked,
    }

    public Task<SweepOutcome> SweepAsync(DurableTaskClient durable, CancellationToken ct = default) =>
        SweepAsync(durable, StepBudget.Unlimited(clock), ct);

    public async Task<SweepOutcome> SweepAsync(DurableTaskClient durable, StepBudget budget, CancellationToken ct = default)
    {
        int settled = 0, parkedCount = 0, examined = 0, left = 0;
        var grace = TimeSpan.FromSeconds(options.Value.CrashedSagaGraceSeconds);
        var stuckAfter = TimeSpan.FromMinutes(options.Value.StuckPaidAfterMinutes);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // A saga can be neither past its grace nor stuck before it has run that long: only rows started earlier can be due.
        await foreach (var row in open.ListAsync(OpenOrchestrationIndex.Sagas, clock.GetUtcNow() - (grace < stuckAfter ? grace : stuckAfter), ct))
        {
            if (budget.Spent)
            {
                left++;
                continue;
            }
            examined++;
            var orderId = row.InstanceId[OrderSaga.InstanceId("").Length..];
            try
            {
                switch (await LookAsync(durable, row, orderId, seen, ct))
                {
                    case Look.Settled:
                        settled++;
                        break;
                    case Look.Parked:
                        parkedCount++;
                        break;
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.CrashedSagaSweepFailed(ex, orderId);
            }
        }
        settled += await RefundCapturesAfterFailedCloseAsync(durable, budget, ct);
        return new SweepOutcome(settled, parkedCount, examined, left);
    }

    /// <summary>
    /// One point read of the saga decides what its row means: ended and settled, or never started long
    /// since (the row goes); failed or terminated (settled now, the row going once decided); running
    /// (stuck in Paid? the row stays).
    /// </summary>
    private async Task<Look> LookAsync(DurableTaskClient durable, OpenOrchestration row, string orderId, HashSet<string> seen, CancellationToken ct)
    {
        if (!seen.Add(row.InstanceId))
        {
            await open.RemoveAsync(row, ct); // a second row for one saga (a start retried by healing)
            return Look.Nothing;
        }
        var instance = await durable.GetInstanceAsync(row.InstanceId, getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            if (row.StartedAt < clock.GetUtcNow() - NeverStartedAfter)
            {
                await open.RemoveAsync(row, ct);
            }
            return Look.Nothing;
        }
        if (instance.RuntimeStatus is not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
        {
            if (instance.IsCompleted)
            {
                await open.RemoveAsync(row, ct); // the saga decided its payment itself
                return Look.Nothing;
            }
            return row.StartedAt < clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.StuckPaidAfterMinutes)
                && await ParkIfStuckAsync(orderId, ct) ? Look.Parked : Look.Nothing;
        }
        if (instance.ReadInputAs<OrderSagaInput>() is not { Order: { } order } input
            || await durable.GetInstanceAsync(LatePaymentRefund.InstanceId(order.PaymentId), ct) is not null)
        {
            await open.RemoveAsync(row, ct); // not ours to read, or already being settled (the refund is indexed itself)
            return Look.Nothing;
        }
        var settled = await SettleAsync(durable, instance, input, ct);
        if (settled is not Settlement.Waiting)
        {
            await open.RemoveAsync(row, ct);
        }
        return settled switch
        {
            Settlement.Settled => Look.Settled,
            Settlement.Parked => Look.Parked,
            _ => Look.Nothing,
        };
    }

    /// <summary>
    /// A cancelled order whose payment could not be closed (parked <see cref="ParkedKinds.CloseFailed"/>)
    /// may still be paid, and its webhook may be lost: the gateway is asked, and a capture gets the
    /// late-payment refund. Looked at for a day after the park; the statement covers anything later.
    /// </summary>
    private async Task<int> RefundCapturesAfterFailedCloseAsync(DurableTaskClient durable, StepBudget budget, CancellationToken ct)
    {
        var refunded = 0;
        await foreach (var item in parked.ListAsync(ParkedKinds.CloseFailed, clock.GetUtcNow() - UnclosedWatch, ct))
        {
            if (budget.Spent)
            {
                break; // watched for a day: the next run asks again
            }
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
    /// <returns>Settled when the sweep settled the payment now (completed or refunding); Parked when it cancelled the order with nothing captured; Stands when the order had ended already; Waiting within the grace.</returns>
    private async Task<Settlement> SettleAsync(DurableTaskClient durable, OrchestrationMetadata instance, OrderSagaInput input, CancellationToken ct)
    {
        var order = input.Order;
        if (instance.LastUpdatedAt > clock.GetUtcNow() - TimeSpan.FromSeconds(options.Value.CrashedSagaGraceSeconds))
        {
            return Settlement.Waiting;
        }
        var cause = $"Saga {instance.InstanceId} is {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage ?? "terminated"}";
        if (await orders.GetAsync(order.OrderId, ct) is { } row && OrderLifecycle.IsTerminal(row.Status))
        {
            // The saga (or an activity that outlived it) recorded the order's end: that decision stands; the operator is told once.
            await ParkAsync(order, $"The saga ended {instance.RuntimeStatus} after its order had ended {row.Status}; nothing left to settle.", cause, ct);
            return Settlement.Stands;
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
                return Settlement.Parked;
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
            return Settlement.Settled;
        }
        await ParkAsync(order, $"The saga ended {instance.RuntimeStatus} after its payment was captured and before its stock was committed; refunding {payment.PaidAmountMinor} {payment.Currency}.", cause, ct);
        var refund = new RefundRequest(order.OrderId, order.Provider, order.PaymentId, payment.PaidAmountMinor, payment.Currency, Reason);
        await dispatch.StartRefundOnceAsync(durable, new LatePaymentInput(refund, dispatch.RefundSettings, new StockRequest(order.OrderId, order.Lines), RecordOrder: true), ct);
        PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "refund_started"));
        log.CrashedSagaRefunded(order.OrderId, order.PaymentId, instance.RuntimeStatus);
        return Settlement.Settled;
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

    /// <summary>An order the read model has shown Paid for longer than any saga step should take, its saga still running, is parked once.</summary>
    private async Task<bool> ParkIfStuckAsync(string orderId, CancellationToken ct)
    {
        var stuckBefore = clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.StuckPaidAfterMinutes);
        if (await orders.GetAsync(orderId, ct) is not { Status: OrderStatus.Paid } order
            || order.UpdatedAt > stuckBefore
            || await parked.GetAsync(ParkedKinds.SagaStuck, order.OrderId, ct) is not null)
        {
            return false;
        }
        await parked.ParkAsync(new ParkRequest(order.OrderId, ParkedKinds.SagaStuck,
            $"Paid since {order.UpdatedAt:u} and its saga has not finished.", $"Saga step: {order.Step}"), ct);
        PipelineMetrics.CrashedSagas.Add(1, new KeyValuePair<string, object?>("action", "stuck"));
        log.SagaStuckInPaid(order.OrderId, order.UpdatedAt);
        return true;
    }
}
