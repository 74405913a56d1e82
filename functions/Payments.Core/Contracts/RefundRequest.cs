namespace Payments.Contracts;

public sealed record RefundRequest(string OrderId, string Provider, string PaymentId, long AmountMinor, string Currency, string Reason);
