namespace Payments.Contracts;

/// <summary>The gateway's id for a refund it accepted.</summary>
public sealed record RefundResult(string RefundId);
