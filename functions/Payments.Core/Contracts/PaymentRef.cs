namespace Payments.Contracts;

/// <summary>The payment an outbound gateway call is about; the provider picks the gateway.</summary>
public sealed record PaymentRef(string OrderId, string Provider, string PaymentId);
