using Payments.Contracts;
using Payments.Ledger;

namespace Payments.Recovery;

/// <summary>
/// The money monitor's rules over rows already read, with no storage: the demo's money invariants
/// (tools/Payments.Demo/Invariants) as they can be judged in production, one capture, refund or
/// customer at a time.
/// </summary>
public static class MoneyRules
{
    /// <summary>What one look at a capture on the watch list decided.</summary>
    public enum CaptureStanding
    {
        /// <summary>Its order completed with it (refunded after the sale or not), or final refunds cover it: unlist it.</summary>
        Settled,

        /// <summary>Younger than the bound: the saga or its refund is still on its way.</summary>
        Young,

        /// <summary>Past the bound, with refunds not final yet covering the rest: the refund rule's bound applies to those.</summary>
        Refunding,

        /// <summary>Past the bound, neither settling its order nor refunded in full: a finding.</summary>
        Unsettled,
    }

    /// <summary>
    /// A capture is settled when its order is Completed (or PartiallyRefunded: a reversal after the
    /// sale) with that very payment, or when refunds that succeeded (and disputes lost) cover it — whatever its order says
    /// (a second capture, a late payment, a cancelled or mismatched order). Refunds requested or
    /// pending that would cover the rest leave the capture to the refund rule, whose bound is the
    /// gateway's (days), so one stuck refund is one finding, not two.
    /// </summary>
    public static CaptureStanding JudgeCapture(WatchedCapture capture, OrderRecord? order, IReadOnlyList<MoneyMovement> movements, DateTimeOffset now, TimeSpan bound)
    {
        var refunds = movements.Where(m => m.Kind == MoneyKinds.Refund && m.PaymentId == capture.PaymentId).ToList();
        // A dispute lost takes the money back as surely as a refund paid.
        var paidBack = movements.Where(m => m.PaymentId == capture.PaymentId && m.TookBack).Sum(m => m.AmountMinor);
        if (paidBack >= capture.AmountMinor
            || order is { Status: OrderStatus.Completed or OrderStatus.PartiallyRefunded } && order.PaymentId == capture.PaymentId)
        {
            return CaptureStanding.Settled;
        }
        if (now - capture.CapturedAt < bound)
        {
            return CaptureStanding.Young;
        }
        var inFlight = refunds.Where(r => r.RefundState is { } s && !s.IsFinal()).Sum(r => r.AmountMinor);
        return paidBack + inFlight >= capture.AmountMinor ? CaptureStanding.Refunding : CaptureStanding.Unsettled;
    }

    /// <summary>
    /// The finding for a capture judged <see cref="CaptureStanding.Unsettled"/>, saying what its order and
    /// refunds are (no age: a detail that changes only with the facts is rewritten only when they change).
    /// </summary>
    public static MoneyFinding UnsettledCapture(WatchedCapture capture, OrderRecord? order, IReadOnlyList<MoneyMovement> movements, DateTimeOffset now)
    {
        var refunds = movements.Where(m => m.Kind == MoneyKinds.Refund && m.PaymentId == capture.PaymentId).ToList();
        var state = order is null ? "no order row"
            : $"order {order.Status}" + (order.Reason is { } reason ? $" ({reason})" : "") + (order.PaymentId != capture.PaymentId ? $", settled by its own payment {order.PaymentId}" : "");
        var refunded = refunds.Count == 0 ? "no refund" : string.Join(", ", refunds.Select(r => $"refund {r.Key} {r.AmountMinor} {r.State}"));
        return new MoneyFinding(MoneyRuleNames.CaptureUnsettled, $"{capture.OrderId}~{capture.PaymentId}", capture.OrderId, capture.PaymentId, order?.CustomerId,
            capture.Provider, capture.AmountMinor, capture.Currency,
            $"captured {capture.AmountMinor} {capture.Currency}; {state}; {refunded}", capture.CapturedAt, now);
    }

    /// <summary>A refund not final this long after it was requested is overdue (the refund tracker counts it, the monitor lists it).</summary>
    public static bool IsRefundOverdue(DateTimeOffset listedAt, DateTimeOffset now, TimeSpan bound) => now - listedAt > bound;

    /// <summary>An open refund past its bound, with its row when the ledger has it; null when it is within its bound.</summary>
    public static MoneyFinding? JudgeRefund(OpenRefund open, MoneyMovement? refund, DateTimeOffset now, TimeSpan bound)
    {
        if (!IsRefundOverdue(open.ListedAt, now, bound) || refund?.RefundState is { } state && state.IsFinal())
        {
            return null;
        }
        var what = refund is null ? "no ledger row" : $"{refund.AmountMinor} {refund.Currency} ({refund.Reason}, by {refund.Initiator}) still {refund.State}";
        return new MoneyFinding(MoneyRuleNames.RefundOverdue, $"{open.OrderId}~{open.Key}", open.OrderId, refund?.PaymentId, null, open.Provider,
            refund?.AmountMinor, refund?.Currency, $"refund {open.Key}: {what} past its bound",
            open.ListedAt, now);
    }

    /// <summary>A customer whose balance is not their grants less their reversals; null when it adds up.</summary>
    public static MoneyFinding? JudgePoints(PointsTally tally, DateTimeOffset now) => tally.AddsUp
        ? null
        : new MoneyFinding(MoneyRuleNames.PointsBalance, tally.CustomerId, null, null, tally.CustomerId, null, null, null,
            $"balance {tally.Balance}, grants {tally.Granted} less reversals {tally.Reversed} = {tally.Granted - tally.Reversed}", now, now);
}
