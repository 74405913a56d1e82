namespace Payments.Storage;

/// <summary>A dead-lettered callback parked for an operator, with what the lane knew about it and who resolved it.</summary>
public sealed record ParkedLetter(
    string Id,
    string? Provider,
    string? EventId,
    string? OrderId,
    string Reason,
    string Description,
    int Attempts,
    LetterStatus Status,
    DateTimeOffset ParkedAt,
    string? Resolution,
    DateTimeOffset? ResolvedAt,
    string? RawBody,
    string? ResolvedBy = null);
