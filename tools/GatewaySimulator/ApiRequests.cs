namespace GatewaySimulator;

/// <summary>Body of <c>POST /v1/payments</c>; every field nullable so a missing one becomes a 400, not a default.</summary>
internal sealed record CreatePaymentRequest(string? PaymentId, string? OrderId, long? AmountMinor, string? Currency, string? Provider);

/// <summary>Optional body of <c>POST /sim/payments/{id}/pay</c>, to simulate a customer paying another amount or currency.</summary>
internal sealed record PayRequest(long? AmountMinor, string? Currency);

/// <summary>Body of <c>POST /v1/payments/{id}/refunds</c>.</summary>
internal sealed record RefundRequest(long? AmountMinor, string? Currency);

/// <summary>Error body every endpoint answers with.</summary>
internal sealed record ApiError(string Error);
