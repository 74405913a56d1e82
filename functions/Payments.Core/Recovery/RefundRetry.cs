namespace Payments.Recovery;

/// <summary>What an operator's refund retry did, and when it started one, the retry's orchestration (<c>refund-op-{paymentId}-{n}</c>).</summary>
public sealed record RefundRetry(RefundRetryResult Result, string? InstanceId = null);
