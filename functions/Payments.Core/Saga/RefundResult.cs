namespace Payments.Saga;

public sealed record RefundResult(string RefundId);
