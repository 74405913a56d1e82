namespace GatewaySimulator;

/// <summary>
/// A dispute (chargeback) of a paid payment as the gateway sees it: the disputed amount in the charge's
/// currency and its status (<c>needs_response</c> while open, then <c>won</c> or <c>lost</c>).
/// </summary>
public sealed record DisputeSnapshot(string DisputeId, string PaymentId, long AmountMinor, string Currency, string Status, DateTimeOffset CreatedAt);
