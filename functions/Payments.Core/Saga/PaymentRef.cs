namespace Payments.Saga;

public sealed record PaymentRef(string OrderId, string Provider, string PaymentId);
