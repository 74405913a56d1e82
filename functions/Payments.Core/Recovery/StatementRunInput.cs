namespace Payments.Recovery;

/// <summary>
/// A statement run's state between generations (<c>ContinueAsNew</c>): the day, the staged statement once
/// staged, and the next chunk to reconcile (the cursor). What the run found lives in the report's rows.
/// </summary>
public sealed record StatementRunInput(DateOnly Date, StagedStatement? Staged = null, int NextChunk = 0);
