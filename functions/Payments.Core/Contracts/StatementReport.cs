namespace Payments.Contracts;

/// <summary>A day's statement reconciliation: lines read and every discrepancy found.</summary>
public sealed record StatementReport(DateOnly Date, long Lines, int NewDiscrepancies, IReadOnlyList<Discrepancy> Discrepancies);
