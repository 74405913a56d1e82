using Microsoft.DurableTask;

namespace Payments.Recovery;

/// <summary>
/// A day's statement reconciliation as a Durable orchestration, one instance per day
/// (<c>statement-{date}</c>): stage the statement into chunks, reconcile chunk after chunk, finish.
/// The staging step reconciles the first few chunks itself (<see cref="StatementRunPolicy.InlineChunks"/>),
/// so an ordinary day is one activity, and only the rest are staged for chunk activities.
/// Each chunk is its own activity (up to <see cref="ParallelChunks"/> at once, a new one as each ends), so no function run grows
/// with the statement; Durable's history is the checkpoint, so a crashed host resumes at the chunks it was on; every generation of
/// <see cref="ChunksPerGeneration"/> chunks starts afresh with the cursor, so the history stays small.
/// A gateway whose statement could not be read is asked again after the others' chunks (its lines
/// become more chunks of the same run); a run that gives up says so in the day's report, in an error
/// log and on <c>payments.reconciliation.runs_failed</c>.
/// </summary>
public static class StatementRun
{
    public const string Name = nameof(StatementRun);

    /// <summary>Chunks per orchestration generation before <c>ContinueAsNew</c> carries the cursor on.</summary>
    public const int ChunksPerGeneration = 50;

    /// <summary>Chunks reconciled side by side (fan-out, fan-in): their ledger reads overlap instead of queueing.</summary>
    public const int ParallelChunks = 4;

    // Room enough in the report for an exception's type and first line; never a payload.
    private const int MaxReasonLength = 500;

    public static string InstanceId(DateOnly date) => $"statement-{date:yyyy-MM-dd}";

    public static async Task<StatementRunResult?> RunAsync(TaskOrchestrationContext context, StatementRunInput input)
    {
        var policy = input.Policy ?? StatementRunPolicy.Default;
        // A step that failed (storage blip, a host that died mid-chunk) is tried again; every step is idempotent.
        var retry = policy.StepRetry();
        try
        {
            return await RunStepsAsync(context, input, policy, retry);
        }
        catch (TaskFailedException ex)
        {
            var reason = $"{ex.TaskName} failed after {policy.StepAttempts} attempts: {ex.FailureDetails.ErrorType}: {ex.FailureDetails.ErrorMessage}";
            reason = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
            context.CreateReplaySafeLogger(typeof(StatementRun)).StatementRunFailed(input.Date, context.InstanceId, reason);
            if (!context.IsReplaying)
            {
                PipelineMetrics.StatementRunsFailed.Add(1, new KeyValuePair<string, object?>("step", ex.TaskName));
            }
            context.SetCustomStatus("Failed");
            try
            {
                await context.CallActivityAsync(StatementActivityNames.Fail, new StatementRunFailure(input.Date, reason), retry);
            }
            catch (TaskFailedException)
            {
                // Storage is still down: the error log and the metric above are what the operator gets.
            }
            throw;
        }
    }

    private static async Task<StatementRunResult?> RunStepsAsync(TaskOrchestrationContext context, StatementRunInput input, StatementRunPolicy policy, TaskOptions retry)
    {
        var staged = input.Staged
            ?? await context.CallActivityAsync<StagedStatement>(StatementActivityNames.Stage,
                new StatementStageRequest(input.Date, context.NewGuid(), ReconcileChunks: policy.InlineChunks), retry);
        if (staged.Finished is { } finished)
        {
            return finished; // a day short enough for the staging step to reconcile and finish it
        }
        var end = Math.Min(staged.Chunks, input.NextChunk + ChunksPerGeneration);
        // A sliding window, not batches: the next chunk starts as soon as any one finishes, so one slow
        // chunk no longer holds three idle slots until it is done. Chunks are scheduled in the same order
        // as before (chunk k is the generation's k-th task), so a run's history replays either way.
        var inFlight = new List<Task<ChunkResult>>(ParallelChunks);
        for (var next = Math.Max(input.NextChunk, staged.ReconciledChunks); next < end || inFlight.Count > 0;)
        {
            for (; next < end && inFlight.Count < ParallelChunks; next++)
            {
                inFlight.Add(context.CallActivityAsync<ChunkResult>(StatementActivityNames.ReconcileChunk, new StatementChunk(input.Date, staged.Run, next), retry));
            }
            context.SetCustomStatus($"Chunks up to {next} of {staged.Chunks} started, {inFlight.Count} running");
            var done = await Task.WhenAny(inFlight);
            inFlight.Remove(done);
            if (done.IsFaulted)
            {
                // A chunk that failed for good fails the run, but only once its siblings have ended: a later
                // run adopts this run's pending rows and must not act on one beside a chunk still running.
                foreach (var sibling in inFlight)
                {
                    try
                    {
                        await sibling;
                    }
                    catch (TaskFailedException)
                    {
                        // Failed too: the run fails with the first failure below.
                    }
                }
                await done;
            }
        }
        if (end < staged.Chunks)
        {
            context.ContinueAsNew(input with { Staged = staged, NextChunk = end });
            return null;
        }
        if (staged.FailedSources is { Count: > 0 } failed && input.SourceRetries < policy.SourceRetries)
        {
            // The gateways that were read are reconciled; the ones that were not get another try, their
            // lines staged as further chunks of this run.
            context.SetCustomStatus($"Waiting to read again: {string.Join(", ", failed.Select(f => f.Provider))}");
            await context.CreateTimer(policy.SourceRetryDelay, CancellationToken.None);
            var more = await context.CallActivityAsync<StagedStatement>(StatementActivityNames.Stage,
                new StatementStageRequest(input.Date, staged.Run, [.. failed.Select(f => f.Provider)], staged.Chunks, staged.Lines), retry);
            context.ContinueAsNew(input with { Staged = more, NextChunk = end, SourceRetries = input.SourceRetries + 1 });
            return null;
        }
        context.SetCustomStatus("Finishing");
        return await context.CallActivityAsync<StatementRunResult>(StatementActivityNames.Finish, new StatementRunTotals(input.Date, staged.Run, staged.Lines), retry);
    }
}
