namespace Payments.Contracts;

public sealed record PaymentRef(string OrderId, string Provider, string PaymentId);
