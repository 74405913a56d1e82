using Payments.Contracts;

namespace Payments.Saga.Tests;

/// <summary>The order lifecycle's transition table, row by row: what each cause may do from each state.</summary>
public sealed class OrderLifecycleTests
{
    [Theory]
    // The saga moves forward, and may end an order it has not ended.
    [InlineData(OrderStatus.AwaitingPayment, OrderStatus.Paid, OrderChangeCause.Saga, true)]
    [InlineData(OrderStatus.AwaitingPayment, OrderStatus.Cancelled, OrderChangeCause.Saga, true)]
    [InlineData(OrderStatus.Paid, OrderStatus.Completed, OrderChangeCause.Saga, true)]
    [InlineData(OrderStatus.Paid, OrderStatus.Refunded, OrderChangeCause.Saga, true)]
    [InlineData(OrderStatus.Completed, OrderStatus.Completed, OrderChangeCause.Saga, true)]
    // Never backwards: a paused worker's stale "Paid" after Completed, a milestone after the end.
    [InlineData(OrderStatus.Completed, OrderStatus.Paid, OrderChangeCause.Saga, false)]
    [InlineData(OrderStatus.Cancelled, OrderStatus.AwaitingPayment, OrderChangeCause.Saga, false)]
    [InlineData(OrderStatus.Paid, OrderStatus.AwaitingPayment, OrderChangeCause.Saga, false)]
    // Terminal states do not overwrite each other (a settle step finishing after a crashed saga's refund, and the reverse).
    [InlineData(OrderStatus.Refunded, OrderStatus.Completed, OrderChangeCause.Saga, false)]
    [InlineData(OrderStatus.Completed, OrderStatus.Refunded, OrderChangeCause.Saga, false)]
    [InlineData(OrderStatus.Completed, OrderStatus.Refunded, OrderChangeCause.Refund, false)]
    [InlineData(OrderStatus.Cancelled, OrderStatus.Refunded, OrderChangeCause.Refund, false)]
    [InlineData(OrderStatus.Cancelled, OrderStatus.Completed, OrderChangeCause.Saga, false)]
    // Completed leaves only by a named reversal.
    [InlineData(OrderStatus.Completed, OrderStatus.PartiallyRefunded, OrderChangeCause.Reversal, true)]
    [InlineData(OrderStatus.Completed, OrderStatus.Refunded, OrderChangeCause.Reversal, true)]
    [InlineData(OrderStatus.PartiallyRefunded, OrderStatus.Refunded, OrderChangeCause.Reversal, true)]
    [InlineData(OrderStatus.PartiallyRefunded, OrderStatus.Completed, OrderChangeCause.Reversal, false)]
    [InlineData(OrderStatus.Refunded, OrderStatus.PartiallyRefunded, OrderChangeCause.Reversal, false)]
    [InlineData(OrderStatus.Cancelled, OrderStatus.Refunded, OrderChangeCause.Reversal, false)]
    // A refund of the order's own payment: its end, a failure after acceptance, a retry that paid.
    [InlineData(OrderStatus.Paid, OrderStatus.Refunded, OrderChangeCause.Refund, true)]
    [InlineData(OrderStatus.Refunded, OrderStatus.RefundPending, OrderChangeCause.Refund, true)]
    [InlineData(OrderStatus.RefundPending, OrderStatus.Refunded, OrderChangeCause.Refund, true)]
    [InlineData(OrderStatus.Refunded, OrderStatus.RefundPending, OrderChangeCause.Saga, false)]
    public void Each_cause_moves_an_order_only_where_the_table_says(OrderStatus from, OrderStatus to, OrderChangeCause cause, bool allowed) =>
        Assert.Equal(allowed, OrderLifecycle.Allows(from, to, cause));

    /// <summary>
    /// A lost dispute (chargeback) is the same named reversal as a refund after the sale: it reaches Refunded
    /// or PartiallyRefunded (reason chargeback), a chargeback of a refunded order leaves it Refunded, and it
    /// never reaches an order the saga has not settled, nor one whose refund is parked.
    /// </summary>
    [Theory]
    [InlineData(OrderStatus.Completed, OrderStatus.PartiallyRefunded, true)] // a partial chargeback
    [InlineData(OrderStatus.Completed, OrderStatus.Refunded, true)]
    [InlineData(OrderStatus.PartiallyRefunded, OrderStatus.Refunded, true)] // refunded in part, then charged back for the rest
    [InlineData(OrderStatus.Refunded, OrderStatus.Refunded, true)] // refunded, then charged back as well: stays Refunded
    [InlineData(OrderStatus.Refunded, OrderStatus.PartiallyRefunded, false)]
    [InlineData(OrderStatus.AwaitingPayment, OrderStatus.Refunded, false)]
    [InlineData(OrderStatus.Paid, OrderStatus.Refunded, false)]
    [InlineData(OrderStatus.RefundPending, OrderStatus.Refunded, false)]
    [InlineData(OrderStatus.Cancelled, OrderStatus.Refunded, false)]
    [InlineData(OrderStatus.Completed, OrderStatus.Cancelled, false)]
    public void A_chargeback_reverses_only_a_settled_order_and_only_forward(OrderStatus from, OrderStatus to, bool allowed) =>
        Assert.Equal(allowed, OrderLifecycle.Allows(from, to, OrderChangeCause.Reversal));

    [Fact]
    public void Every_state_can_repeat_its_own_write_by_some_cause_and_cancelled_is_final()
    {
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            Assert.True(Enum.GetValues<OrderChangeCause>().Any(cause => OrderLifecycle.Allows(status, status, cause)), $"{status} cannot be written again");
        }
        Assert.All(Enum.GetValues<OrderStatus>().Where(s => s != OrderStatus.Cancelled), to =>
            Assert.All(Enum.GetValues<OrderChangeCause>(), cause => Assert.False(OrderLifecycle.Allows(OrderStatus.Cancelled, to, cause))));
    }
}
