using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// What every path that learns about a refund does with it (the refund call's answer, a notice, the
/// refund tracker's query): the money ledger takes the observation, and the refund's end is acted on
/// once — a refund that failed or was closed after it was accepted is parked for an operator with a
/// retry under the next key (and an order recorded Refunded by it shows RefundPending); an after-sales
/// refund or one made at the gateway that succeeded reverses the order (<see cref="OrderReversal"/>):
/// Refunded or PartiallyRefunded, and the customer's points in proportion.
/// </summary>
public sealed class RefundFollowUp(MoneyLedger money, OrderBook orders, OrderReversal reversal, ParkedItems parked, ILogger<RefundFollowUp> log)
{
    public const string ExternalReason = "refunded_at_gateway";

    /// <summary>Applies an observation of the refund recorded under <paramref name="key"/>; null when the ledger has no such refund.</summary>
    public async Task<MoneyObservationResult?> ObserveAsync(string orderId, string key, RefundState state, string source, string? gatewayRefundId = null,
        string? detail = null, CancellationToken ct = default)
    {
        var result = await money.ObserveRefundAsync(orderId, key, state, source, gatewayRefundId, detail, ct);
        if (result is not { Movement: var movement })
        {
            return result;
        }
        if (result.Moved && state is RefundState.Failed or RefundState.Closed)
        {
            await ParkFailedAsync(movement, state, source, ct);
        }
        else if (movement.RefundState == RefundState.Succeeded && IsReversal(movement))
        {
            // Also when the ledger had it already: a path that died between the ledger and the order is finished by the next observation.
            await ReverseOrderAsync(movement, ct);
        }
        return result;
    }

    /// <summary>
    /// A refund notice from the gateway: applied to the refund the ledger knows (by the gateway's refund
    /// id, else the one refund of that payment and amount the gateway has not named yet), or, when the
    /// ledger knows none and the notice says money went back, recorded as a refund someone else made
    /// (a dashboard or merchant-console refund) and the order reversed. The daily statement's refund
    /// lines come the same way (<paramref name="source"/> <c>statement</c>): the last net for a refund
    /// whose every notice was lost.
    /// </summary>
    public async Task<RefundNoticeResult> ApplyNoticeAsync(PaymentEvent notice, string source = "notice", CancellationToken ct = default)
    {
        var state = notice.Kind == PaymentEventKind.Refunded ? RefundState.Succeeded : RefundState.Failed;
        if (notice.AmountIsRefundedTotal)
        {
            notice = notice with { AmountMinor = await ThisRefundsShareAsync(notice, ct), AmountIsRefundedTotal = false };
        }
        var known = await FindAsync(notice, ct);
        var detail = $"{notice.Provider} event {notice.EventId}";
        if (known is not null)
        {
            await ObserveAsync(notice.OrderId, known.Key, state, source, notice.RefundId, detail, ct);
            return RefundNoticeResult.Applied;
        }
        if (state != RefundState.Succeeded || notice.RefundId is not { Length: > 0 } refundId || notice.AmountMinor <= 0)
        {
            // A failure of a refund the ledger never had, or a refund the gateway names no id for: nothing to key it by.
            log.RefundNoticeUnmatched(notice.OrderId, notice.Provider, notice.EventId, notice.Kind);
            return RefundNoticeResult.Unmatched;
        }
        if (await money.RecordExternalRefundAsync(notice.OrderId, notice.Provider, notice.PaymentId, refundId, notice.AmountMinor, notice.Currency, state, source, ct: ct) is { } recorded)
        {
            log.ExternalRefundRecorded(notice.OrderId, notice.Provider, refundId, notice.AmountMinor, notice.Currency);
            await ReverseOrderAsync(recorded, ct);
        }
        return RefundNoticeResult.External;
    }

    /// <summary>
    /// The saga recorded its order Refunded: when the refund of the order's payment already ended failed or
    /// closed (its notice outran the record, so <see cref="ParkFailedAsync"/> found the order not Refunded
    /// yet), the order shows RefundPending all the same. Either order of the two writes ends RefundPending.
    /// </summary>
    public async Task ShowFailedRefundAsync(string orderId, CancellationToken ct = default)
    {
        if (await orders.GetAsync(orderId, ct) is not { Status: OrderStatus.Refunded } order)
        {
            return;
        }
        var own = (await money.ListAsync(orderId, ct)).Where(m => m.Kind == MoneyKinds.Refund && m.PaymentId == order.PaymentId && m.RequestKey is null).ToList();
        if (own.Count > 0 && own.All(m => m.RefundState is RefundState.Failed or RefundState.Closed))
        {
            await orders.ApplyAsync(new OrderStateChange(orderId, OrderStatus.RefundPending, order.Reason, "RefundFailed", Cause: OrderChangeCause.Refund), ct);
        }
    }

    /// <summary>A notice that gives the payment's refunded total: this refund is what the other refunds paid so far do not cover.</summary>
    private async Task<long> ThisRefundsShareAsync(PaymentEvent notice, CancellationToken ct) =>
        notice.AmountMinor - (await money.ListAsync(notice.OrderId, ct))
            .Where(m => m.Kind == MoneyKinds.Refund && m.PaymentId == notice.PaymentId && m.RefundState == RefundState.Succeeded
                && (notice.RefundId is null || m.GatewayRefundId != notice.RefundId))
            .Sum(m => m.AmountMinor);

    private async Task<MoneyMovement?> FindAsync(PaymentEvent notice, CancellationToken ct)
    {
        if (await money.FindRefundAsync(notice.OrderId, null, notice.RefundId, ct) is { } byId)
        {
            return byId;
        }
        var candidates = (await money.ListAsync(notice.OrderId, ct))
            .Where(m => m.Kind == MoneyKinds.Refund && m.PaymentId == notice.PaymentId && m.AmountMinor == notice.AmountMinor
                && (m.GatewayRefundId is null || notice.RefundId is null || m.GatewayRefundId == notice.RefundId))
            .ToList();
        // An open refund first: a notice is news about one still on its way. A final one only when nothing
        // else can be meant: the notice names no refund id, or the row carries that id (the answer recorded
        // it between the look by id above and this read; it is not someone else's refund).
        return candidates.FirstOrDefault(m => m.RefundState is { } s && !s.IsFinal())
            ?? candidates.FirstOrDefault(m => notice.RefundId is null || m.GatewayRefundId == notice.RefundId);
    }

    private static bool IsReversal(MoneyMovement movement) => movement.RequestKey is not null || movement.Initiator == MoneyInitiators.Gateway;

    private async Task ParkFailedAsync(MoneyMovement movement, RefundState state, string source, CancellationToken ct)
    {
        var parkKey = movement.RequestKey is { } requestKey ? AfterSalesRefunds.InstanceId(movement.OrderId, requestKey) : LatePaymentRefund.InstanceId(movement.PaymentId);
        var retry = movement.Initiator == MoneyInitiators.Gateway ? null : movement.NextAttempt();
        await parked.ParkAsync(new ParkRequest(movement.OrderId, ParkedKinds.RefundFailed,
            $"The refund of {movement.AmountMinor} {movement.Currency} ({movement.Reason}) ended {state} at {movement.Provider} after it was accepted: the customer was not paid back; retry it.",
            $"{source}: refund {movement.Key}" + (movement.GatewayRefundId is { } id ? $" ({id})" : ""), retry, parkKey), ct);
        log.RefundFailedAfterAcceptance(movement.OrderId, movement.Key, movement.Provider, state);
        SagaMetrics.RefundsFailed.Add(1, new KeyValuePair<string, object?>("provider", movement.Provider), new KeyValuePair<string, object?>("state", state.ToString()));
        if (movement.RequestKey is null && await orders.GetAsync(movement.OrderId, ct) is { Status: OrderStatus.Refunded } order && order.PaymentId == movement.PaymentId)
        {
            await orders.ApplyAsync(new OrderStateChange(movement.OrderId, OrderStatus.RefundPending, order.Reason, "RefundFailed", Cause: OrderChangeCause.Refund), ct);
        }
    }

    private Task ReverseOrderAsync(MoneyMovement refund, CancellationToken ct) =>
        reversal.ReverseAsync(refund, refund.Initiator == MoneyInitiators.Gateway ? ExternalReason : refund.Reason, ct);
}

/// <summary>What a refund notice did: applied to a refund the ledger knows, recorded as someone else's refund, or matched nothing.</summary>
public enum RefundNoticeResult
{
    Applied,
    External,
    Unmatched,
}
