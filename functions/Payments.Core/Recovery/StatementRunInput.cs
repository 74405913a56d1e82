namespace Payments.Recovery;

/// <summary>
/// A statement run's state between generations (<c>ContinueAsNew</c>): the day, the staged statement once
/// staged, the next chunk to reconcile (the cursor) and the new discrepancies found so far.
/// </summary>
public sealed record StatementRunInput(DateOnly Date, StagedStatement? Staged = null, int NextChunk = 0, int NewDiscrepancies = 0);
