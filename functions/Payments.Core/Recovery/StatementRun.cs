using Microsoft.DurableTask;

namespace Payments.Recovery;

/// <summary>
/// A day's statement reconciliation as a Durable orchestration, one instance per day
/// (<c>statement-{date}</c>): stage the statement into chunks, reconcile chunk after chunk, finish.
/// Each chunk is its own activity (up to <see cref="ParallelChunks"/> at once), so no function run grows
/// with the statement; Durable's history is the checkpoint, so a crashed host resumes at the chunks it was on; every generation of
/// <see cref="ChunksPerGeneration"/> chunks starts afresh with the cursor, so the history stays small.
/// </summary>
public static class StatementRun
{
    public const string Name = nameof(StatementRun);

    /// <summary>Chunks per orchestration generation before <c>ContinueAsNew</c> carries the cursor on.</summary>
    public const int ChunksPerGeneration = 50;

    /// <summary>Chunks reconciled side by side (fan-out, fan-in): their ledger reads overlap instead of queueing.</summary>
    public const int ParallelChunks = 4;

    public static string InstanceId(DateOnly date) => $"statement-{date:yyyy-MM-dd}";

    // A chunk that failed (storage blip, a host that died mid-chunk) is tried again; every step is idempotent.
    private static readonly TaskOptions ChunkRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(2), 2, TimeSpan.FromMinutes(1)));

    public static async Task<StatementRunResult?> RunAsync(TaskOrchestrationContext context, StatementRunInput input)
    {
        var staged = input.Staged
            ?? await context.CallActivityAsync<StagedStatement>(StatementActivityNames.Stage, new StatementStageRequest(input.Date, context.NewGuid()), ChunkRetry);
        var end = Math.Min(staged.Chunks, input.NextChunk + ChunksPerGeneration);
        for (var batch = input.NextChunk; batch < end; batch += ParallelChunks)
        {
            context.SetCustomStatus($"Chunks {batch + 1}-{Math.Min(end, batch + ParallelChunks)} of {staged.Chunks}");
            var chunks = Enumerable.Range(batch, Math.Min(ParallelChunks, end - batch))
                .Select(chunk => context.CallActivityAsync<ChunkResult>(StatementActivityNames.ReconcileChunk, new StatementChunk(input.Date, staged.Run, chunk), ChunkRetry))
                .ToList();
            await Task.WhenAll(chunks);
        }
        if (end < staged.Chunks)
        {
            context.ContinueAsNew(input with { Staged = staged, NextChunk = end });
            return null;
        }
        context.SetCustomStatus("Finishing");
        return await context.CallActivityAsync<StatementRunResult>(StatementActivityNames.Finish, new StatementRunTotals(input.Date, staged.Run, staged.Lines), ChunkRetry);
    }
}
