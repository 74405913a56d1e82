namespace Payments.Contracts;

public sealed record RefundResult(string RefundId);
