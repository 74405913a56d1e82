namespace GatewaySimulator;

/// <summary>
/// Body of <c>POST /sim/payments/{id}/dispute</c>: how the customer's dispute ends (<c>lost</c>,
/// <c>won</c>, or <c>open</c> for one that does not end yet), and its amount (the whole capture when absent).
/// </summary>
internal sealed record DisputeRequest(string? Outcome, long? AmountMinor);
