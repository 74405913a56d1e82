namespace Payments.Recovery;

/// <summary>Handed to the run's last step: which staged copy to delete and how many discrepancies this run found.</summary>
public sealed record StatementRunTotals(DateOnly Date, Guid Run, long Lines, int NewDiscrepancies);
