namespace Payments.Contracts;

/// <summary>Where an order ends up. Only <see cref="AwaitingPayment"/> and <see cref="Paid"/> are not terminal.</summary>
public enum OrderStatus
{
    AwaitingPayment,
    Paid,
    Completed,
    Cancelled,
    Refunded,
    /// <summary>A refund the gateway kept rejecting; parked for an operator.</summary>
    RefundPending,
}
