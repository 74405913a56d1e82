namespace Payments.Contracts;

/// <summary>What moves an order's state: who is allowed which transition depends on it.</summary>
public enum OrderChangeCause
{
    /// <summary>A step of the order's saga (its milestones, its end).</summary>
    Saga,
    /// <summary>The end of a refund the pipeline started for the order's own payment (a crashed saga, an operator's retry, a refund that failed after acceptance).</summary>
    Refund,
    /// <summary>A named reversal of a completed order: an after-sales refund, a refund made at the gateway, a lost dispute.</summary>
    Reversal,
}

/// <summary>
/// The order's lifecycle as one explicit transition table: from a state, by a cause, to the states it
/// may reach. Every write of an order's state decides through it (<c>OrderBook</c>), so no path can
/// move an order backwards or overwrite one terminal state with another: Completed leaves only by a
/// named reversal; Refunded goes back to RefundPending only when its refund failed after it was accepted;
/// Cancelled is final.
/// </summary>
public static class OrderLifecycle
{
    private static readonly Dictionary<(OrderStatus From, OrderChangeCause Cause), OrderStatus[]> Moves = new()
    {
        [(OrderStatus.AwaitingPayment, OrderChangeCause.Saga)] =
            [OrderStatus.AwaitingPayment, OrderStatus.Paid, OrderStatus.Completed, OrderStatus.Cancelled, OrderStatus.Refunded, OrderStatus.RefundPending],
        [(OrderStatus.AwaitingPayment, OrderChangeCause.Refund)] = [OrderStatus.Refunded, OrderStatus.RefundPending],
        [(OrderStatus.Paid, OrderChangeCause.Saga)] = [OrderStatus.Paid, OrderStatus.Completed, OrderStatus.Cancelled, OrderStatus.Refunded, OrderStatus.RefundPending],
        [(OrderStatus.Paid, OrderChangeCause.Refund)] = [OrderStatus.Refunded, OrderStatus.RefundPending],
        [(OrderStatus.Completed, OrderChangeCause.Saga)] = [OrderStatus.Completed],
        [(OrderStatus.Completed, OrderChangeCause.Reversal)] = [OrderStatus.PartiallyRefunded, OrderStatus.Refunded],
        [(OrderStatus.PartiallyRefunded, OrderChangeCause.Reversal)] = [OrderStatus.PartiallyRefunded, OrderStatus.Refunded],
        [(OrderStatus.Cancelled, OrderChangeCause.Saga)] = [OrderStatus.Cancelled],
        [(OrderStatus.Refunded, OrderChangeCause.Saga)] = [OrderStatus.Refunded],
        [(OrderStatus.Refunded, OrderChangeCause.Refund)] = [OrderStatus.Refunded, OrderStatus.RefundPending],
        [(OrderStatus.Refunded, OrderChangeCause.Reversal)] = [OrderStatus.Refunded],
        [(OrderStatus.RefundPending, OrderChangeCause.Saga)] = [OrderStatus.RefundPending],
        [(OrderStatus.RefundPending, OrderChangeCause.Refund)] = [OrderStatus.RefundPending, OrderStatus.Refunded],
    };

    /// <summary>Whether an order in <paramref name="from"/> may be moved to <paramref name="to"/> by <paramref name="cause"/>.</summary>
    public static bool Allows(OrderStatus from, OrderStatus to, OrderChangeCause cause) =>
        Moves.TryGetValue((from, cause), out var reachable) && reachable.Contains(to);

    /// <summary>Neither awaiting payment nor paid: the saga has decided the order.</summary>
    public static bool IsTerminal(OrderStatus status) => status is not (OrderStatus.AwaitingPayment or OrderStatus.Paid);
}
