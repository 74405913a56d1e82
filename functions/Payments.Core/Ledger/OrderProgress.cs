using Payments.Contracts;

namespace Payments.Ledger;

/// <summary>
/// What dispatch reads of an order instead of asking the Durable engine: its status, the provider and
/// payment it settles by, and whether its saga has written the row (so the saga exists, not only the row).
/// </summary>
public sealed record OrderProgress(OrderStatus Status, string Provider, string PaymentId, bool SagaRecorded)
{
    /// <summary>The row shows a saga that has started and not finished: one that takes payment events.</summary>
    public bool SagaRunning => SagaRecorded && Status is OrderStatus.AwaitingPayment or OrderStatus.Paid;
}
