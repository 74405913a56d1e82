namespace GatewaySimulator;

/// <summary>Body of <c>POST /v1/payments</c>; every field nullable so a missing one becomes a 400, not a default.</summary>
internal sealed record CreatePaymentRequest(string? PaymentId, string? OrderId, long? AmountMinor, string? Currency, string? Provider);
