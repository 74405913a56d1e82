namespace Payments.Recovery;

/// <summary>
/// Whether an operator's refund retry started, found no parked refund under the key, or found the item
/// already resolved (an earlier retry started, or it was discarded): a second retry is refused, not run.
/// </summary>
public enum RefundRetryResult { Started, NotParked, AlreadyResolved }
