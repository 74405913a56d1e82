using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// Something the pipeline could not finish by itself, waiting for an operator (<see cref="Open"/>) or
/// resolved by one; <see cref="Key"/> names it for the operator's actions (its order id, or a refund
/// orchestration's instance id).
/// </summary>
public sealed record ParkedItem(
    string OrderId,
    string Kind,
    string Reason,
    string Detail,
    DateTimeOffset ParkedAt,
    RefundRequest? Refund,
    int OperatorRetries,
    string? Key = null,
    bool Open = true,
    string? Resolution = null,
    string? ResolvedBy = null,
    DateTimeOffset? ResolvedAt = null);
