namespace Payments.Contracts;

/// <summary>Where an order ends up. Only <see cref="AwaitingPayment"/> and <see cref="Paid"/> are not terminal.</summary>
public enum OrderStatus
{
    AwaitingPayment,
    Paid,
    Completed,
    Cancelled,
    Refunded,
    /// <summary>A refund the gateway kept rejecting, or one that failed after it was accepted; parked for an operator.</summary>
    RefundPending,
    /// <summary>Completed, then part of its payment refunded after the sale (an after-sales refund, a refund made at the gateway).</summary>
    PartiallyRefunded,
}
