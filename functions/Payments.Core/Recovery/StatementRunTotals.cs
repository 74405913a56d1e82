namespace Payments.Recovery;

/// <summary>Handed to the run's last step: which staged copy to delete and how many lines it had.</summary>
public sealed record StatementRunTotals(DateOnly Date, Guid Run, long Lines);
