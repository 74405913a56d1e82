namespace GatewaySimulator;

/// <summary>Body of <c>POST /v1/payments/{id}/refunds</c>.</summary>
internal sealed record RefundRequest(long? AmountMinor, string? Currency);
