namespace Payments.Recovery;

/// <summary>
/// How long one recovery step may keep taking new work in a run (<see cref="ReconcilerOptions.StepBudgetSeconds"/>):
/// a step checks it before each item and leaves the rest to its next run, so a slow gateway or a
/// backlog in one step never holds up another, and no step runs into the host's <c>functionTimeout</c>.
/// </summary>
public sealed class StepBudget
{
    private readonly TimeProvider clock;
    private readonly TimeSpan limit;

    private StepBudget(TimeProvider clock, TimeSpan limit)
    {
        this.clock = clock;
        this.limit = limit;
        StartedAt = clock.GetUtcNow();
    }

    public DateTimeOffset StartedAt { get; }

    public TimeSpan Elapsed => clock.GetUtcNow() - StartedAt;

    public bool Spent => Elapsed >= limit;

    public static StepBudget Start(TimeSpan limit, TimeProvider clock) => new(clock, limit);

    /// <summary>No limit: for a caller that bounds the step itself.</summary>
    public static StepBudget Unlimited(TimeProvider clock) => new(clock, TimeSpan.MaxValue);
}
