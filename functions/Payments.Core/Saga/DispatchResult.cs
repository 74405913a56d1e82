namespace Payments.Saga;

/// <summary>What dispatching a payment event to its order's saga did.</summary>
public enum DispatchResult
{
    /// <summary>Raised to the order's running saga.</summary>
    Raised,
    /// <summary>No saga for this order yet: the callback may have outrun the order's registration.</summary>
    UnknownOrder,
    /// <summary>A success for an order already cancelled: a late-payment refund was started (or already runs).</summary>
    LatePaymentRefund,
    /// <summary>The saga already ended and this event changes nothing.</summary>
    NoEffect,
    /// <summary>The saga crashed or was terminated; the event is parked with the saga for an operator.</summary>
    SagaFailed,
    /// <summary>A refund notice, applied to the money ledger (and to the order, for a refund someone else made).</summary>
    RefundNotice,
    /// <summary>A dispute notice, applied to the money ledger (and to the order, for a dispute lost).</summary>
    DisputeNotice,
    /// <summary>The event came from another gateway than the order's: parked as evidence, never applied.</summary>
    ProviderMismatch,
}
