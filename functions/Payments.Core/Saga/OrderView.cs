namespace Payments.Saga;

/// <summary>What <c>GET /api/orders/{id}</c> shows: the read model joined with the saga's live state.</summary>
public sealed record OrderView(
    string OrderId,
    string Status,
    string? Reason,
    string? Step,
    string? SagaRuntimeStatus,
    long AmountMinor,
    string Currency,
    long? PaidAmountMinor,
    string PaymentId,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt);
