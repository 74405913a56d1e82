namespace GatewaySimulator;

/// <summary>One money movement (capture or refund) as it appears on a daily statement.</summary>
internal sealed record LedgerEntry(
    string PaymentId,
    string OrderId,
    string Type,
    long AmountMinor,
    string Currency,
    DateTimeOffset OccurredAt);
