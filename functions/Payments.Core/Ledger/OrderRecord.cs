using Payments.Contracts;

namespace Payments.Ledger;

/// <summary>One order as the read model knows it.</summary>
public sealed record OrderRecord(
    string OrderId,
    string CustomerId,
    string Provider,
    string PaymentId,
    long AmountMinor,
    string Currency,
    OrderStatus Status,
    string? Reason,
    string Step,
    long? PaidAmountMinor,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<OrderLine> Lines,
    DateTimeOffset? RecoveryRaisedAt = null,
    DateTimeOffset? LastQueryAt = null,
    string? LastQueryAnswer = null,
    int ActiveQueries = 0)
{
    public OrderRequest ToRequest() => new(OrderId, CustomerId, Lines, AmountMinor, Currency, Provider, PaymentId);
}
