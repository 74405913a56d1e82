namespace GatewaySimulator;

/// <summary>Optional body of <c>POST /sim/payments/{id}/pay</c>, to simulate a customer paying another amount or currency.</summary>
internal sealed record PayRequest(long? AmountMinor, string? Currency);
