namespace Payments.Recovery;

/// <summary>Whether an operator's refund retry started, or there was no parked refund to retry.</summary>
public enum RefundRetryResult { Started, NotParked }
