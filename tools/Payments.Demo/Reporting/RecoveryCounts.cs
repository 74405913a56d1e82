namespace Payments.Demo.Reporting;

/// <summary>
/// How callbacks that did not simply arrive and apply were recovered. Counts that only an
/// in-process host can give (its meter) are null when the host ran in another process.
/// </summary>
public sealed record RecoveryCounts(
    long? OutboxRelayed,
    int QueuedOnLane,
    int QueuedThenApplied,
    long? LaneDeadLettered,
    long? RedrivenByDrain,
    int RedrivenByOperator,
    int DeadLettersParked,
    long? ActiveQuery,
    long? ActiveQueriesMade,
    long? Statement);
