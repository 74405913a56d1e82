using Microsoft.DurableTask;

namespace Payments.Recovery;

/// <summary>
/// How patient a statement run is, frozen into its input so every replay schedules the same retries.
/// A step (stage, chunk, finish) that fails is tried <see cref="StepAttempts"/> times with a back-off
/// from <see cref="FirstStepRetry"/> doubling up to <see cref="MaxStepRetry"/>: by default about six
/// minutes, so a storage blip of a few minutes does not fail the day. A gateway whose statement could
/// not be read is asked again <see cref="SourceRetries"/> times, <see cref="SourceRetryDelay"/> apart,
/// after the other gateways' lines are reconciled. The staging step reconciles the first
/// <see cref="InlineChunks"/> chunks itself (0 in runs started before it did).
/// </summary>
public sealed record StatementRunPolicy(int StepAttempts, TimeSpan FirstStepRetry, TimeSpan MaxStepRetry, int SourceRetries, TimeSpan SourceRetryDelay, int InlineChunks = 0)
{
    /// <summary>10 attempts, 5 s doubling to at most 1 min (9 waits: 5+10+20+40+5×60 s ≈ 6 min), and 6 tries of a failed gateway 10 min apart.</summary>
    public static StatementRunPolicy Default { get; } = new(10, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), 6, TimeSpan.FromMinutes(10));

    /// <summary>
    /// The default step budget, with the gateway retry delay of <see cref="ReconcilerOptions.StatementSourceRetrySeconds"/>
    /// and the chunks reconciled by the staging step of <see cref="ReconcilerOptions.StatementInlineChunks"/>.
    /// </summary>
    public static StatementRunPolicy From(ReconcilerOptions options) =>
        Default with { SourceRetryDelay = TimeSpan.FromSeconds(options.StatementSourceRetrySeconds), InlineChunks = options.StatementInlineChunks };

    public TaskOptions StepRetry() => TaskOptions.FromRetryPolicy(new RetryPolicy(StepAttempts, FirstStepRetry, 2, MaxStepRetry));

    /// <summary>The longest a failing step is retried before the run gives up (the waits between its attempts).</summary>
    public TimeSpan StepBudget() =>
        TimeSpan.FromTicks(Enumerable.Range(0, StepAttempts - 1).Sum(i => Math.Min(FirstStepRetry.Ticks * (long)Math.Pow(2, i), MaxStepRetry.Ticks)));
}
