namespace Payments.Contracts;

public sealed record StatementReport(DateOnly Date, long Lines, int NewDiscrepancies, IReadOnlyList<Discrepancy> Discrepancies);
