namespace Payments.Recovery;

/// <summary>
/// A statement run's state between generations (<c>ContinueAsNew</c>): the day, the staged statement once
/// staged, the next chunk to reconcile (the cursor), its retry
/// policy (null: <see cref="StatementRunPolicy.Default"/>; inputs from before the policy read so) and
/// how often the gateways whose statement failed have been asked again. What the run found lives in
/// the report's rows.
/// </summary>
public sealed record StatementRunInput(
    DateOnly Date,
    StagedStatement? Staged = null,
    int NextChunk = 0,
    StatementRunPolicy? Policy = null,
    int SourceRetries = 0);
