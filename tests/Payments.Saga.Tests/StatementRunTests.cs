using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Payments.Contracts;
using Payments.DevKit;
using Payments.Recovery;

namespace Payments.Saga.Tests;

/// <summary>
/// The statement run's orchestrator on the in-memory engine with scripted steps: how long it keeps
/// trying a failing step, what it leaves when it gives up, and how it comes back for a gateway whose
/// statement could not be read. One engine for the class; each test its own day.
/// </summary>
public sealed class StatementRunTests : IAsyncLifetime
{
    // Default's attempts, with waits short enough for a test: the attempt count is what is checked.
    private static readonly StatementRunPolicy Fast = StatementRunPolicy.Default with
    {
        FirstStepRetry = TimeSpan.FromMilliseconds(10), MaxStepRetry = TimeSpan.FromMilliseconds(20), SourceRetryDelay = TimeSpan.FromMilliseconds(10),
    };

    private readonly ConcurrentDictionary<DateOnly, Script> scripts = new();
    private InMemoryDurable? engine;

    public async Task InitializeAsync() => engine = await InMemoryDurable.StartAsync(Register, concurrency: 8);

    public async Task DisposeAsync() => await engine!.DisposeAsync();

    [Fact]
    public void The_default_budget_outlasts_a_storage_outage_of_a_few_minutes() =>
        // A blip of a few minutes must not fail the day: 5 attempts from 2 s (about 30 s) did.
        Assert.InRange(StatementRunPolicy.Default.StepBudget(), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15));

    [Fact]
    public async Task A_chunk_failing_nine_times_in_a_row_is_reconciled_on_its_tenth_attempt_and_the_run_finishes()
    {
        var script = new Script(new DateOnly(2026, 1, 1)) { ChunkFailures = 9 };

        var run = await RunAsync(script);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal(10, script.ChunkAttempts[0]);
        Assert.Single(script.Finished);
        Assert.Empty(script.Failures);
    }

    [Fact]
    public async Task A_run_that_gives_up_records_the_failed_step_and_its_cause_in_the_days_report()
    {
        var script = new Script(new DateOnly(2026, 1, 2)) { ChunkFailures = int.MaxValue };
        using var givenUp = new MetricCollector<long>(PipelineMetrics.StatementRunsFailed);

        var run = await RunAsync(script);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, run.RuntimeStatus);
        Assert.Equal(StatementRunPolicy.Default.StepAttempts, script.ChunkAttempts[0]);
        var failure = Assert.Single(script.Failures);
        Assert.Equal(script.Date, failure.Date);
        Assert.Contains($"{StatementActivityNames.ReconcileChunk} failed after 10 attempts", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("storage is down", failure.Reason, StringComparison.Ordinal);
        Assert.Empty(script.Finished);
        // The counter the statement-run-incomplete alert queries (AlertTelemetryTests leaves this one to here).
        Assert.Contains(StatementActivityNames.ReconcileChunk, givenUp.GetMeasurementSnapshot().Select(m => m.Tags["step"]?.ToString()));
    }

    [Fact]
    public async Task A_gateway_whose_statement_failed_is_staged_again_after_the_others_and_its_chunks_reconciled_before_the_finish()
    {
        var script = new Script(new DateOnly(2026, 1, 3)) { SourceFailures = 2 };

        var run = await RunAsync(script);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        // First every gateway, then twice only the one that failed, its chunks numbered after the others'.
        Assert.Equal([(null, 0), ("stripe", 2), ("stripe", 2)], script.Stages.Select(s => (s.Providers is null ? null : string.Join(',', s.Providers), s.FirstChunk)));
        Assert.Equal([0, 1, 2], script.ChunkAttempts.Keys.Order());
        Assert.Equal(3L, Assert.Single(script.Finished).Lines);
    }

    [Fact]
    public async Task A_gateway_that_stays_unreadable_is_asked_again_a_bounded_number_of_times_and_the_others_are_still_finished()
    {
        var script = new Script(new DateOnly(2026, 1, 4)) { SourceFailures = int.MaxValue };

        var run = await RunAsync(script);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal(1 + StatementRunPolicy.Default.SourceRetries, script.Stages.Count);
        Assert.Equal([0, 1], script.ChunkAttempts.Keys.Order());
        Assert.Single(script.Finished);
    }

    [Fact]
    public async Task A_day_the_staging_step_reconciled_in_full_ends_with_that_step()
    {
        var script = new Script(new DateOnly(2026, 1, 5));

        var run = await RunAsync(script, Fast with { InlineChunks = StatementRun.ParallelChunks });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal(StatementRun.ParallelChunks, Assert.Single(script.Stages).ReconcileChunks);
        Assert.Empty(script.ChunkAttempts);
        Assert.Empty(script.Finished);
        Assert.Equal(3L, run.ReadOutputAs<StatementRunResult>()!.Lines);
    }

    [Fact]
    public async Task Chunks_the_staging_step_reconciled_are_not_scheduled_again_and_the_rest_are_before_the_finish()
    {
        var script = new Script(new DateOnly(2026, 1, 6)) { SourceFailures = 1 };

        var run = await RunAsync(script, Fast with { InlineChunks = 2 });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        // Chunks 0 and 1 by the first staging; stripe's chunk 2, staged again after its read failed, by its own activity.
        Assert.Equal([(2, null), (0, "stripe")], script.Stages.Select(s => (s.ReconcileChunks, s.Providers is null ? null : string.Join(',', s.Providers))));
        Assert.Equal([2], script.ChunkAttempts.Keys.Order());
        Assert.Equal(3L, Assert.Single(script.Finished).Lines);
    }

    private async Task<OrchestrationMetadata> RunAsync(Script script, StatementRunPolicy? policy = null)
    {
        scripts[script.Date] = script;
        var client = engine!.Client;
        var id = await client.ScheduleNewOrchestrationInstanceAsync(StatementRun.Name, new StatementRunInput(script.Date, Policy: policy ?? Fast),
            new StartOrchestrationOptions(StatementRun.InstanceId(script.Date)));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);
    }

    private void Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestratorFunc<StatementRunInput, StatementRunResult?>(StatementRun.Name, StatementRun.RunAsync);
        registry.AddActivityFunc<StatementStageRequest, StagedStatement>(StatementActivityNames.Stage, (_, request) => scripts[request.Date].Stage(request));
        registry.AddActivityFunc<StatementChunk, ChunkResult>(StatementActivityNames.ReconcileChunk, (_, chunk) => scripts[chunk.Date].Reconcile(chunk));
        registry.AddActivityFunc<StatementRunTotals, StatementRunResult>(StatementActivityNames.Finish, (_, totals) => scripts[totals.Date].Finish(totals));
        registry.AddActivityFunc<StatementRunFailure, bool>(StatementActivityNames.Fail, (_, failure) => scripts[failure.Date].Fail(failure));
    }

    /// <summary>
    /// A day of two gateways: "standard" stages two chunks of one line each; "stripe" one chunk, unless
    /// its first <see cref="SourceFailures"/> reads fail. Chunk 0 fails its first <see cref="ChunkFailures"/> attempts.
    /// </summary>
    private sealed class Script(DateOnly date)
    {
        public DateOnly Date => date;

        public int ChunkFailures { get; init; }

        public int SourceFailures { get; init; }

        public List<StatementStageRequest> Stages { get; } = [];

        public ConcurrentDictionary<int, int> ChunkAttempts { get; } = new();

        public List<StatementRunTotals> Finished { get; } = [];

        public List<StatementRunFailure> Failures { get; } = [];

        public StagedStatement Stage(StatementStageRequest request)
        {
            lock (Stages)
            {
                Stages.Add(request);
                var stripeFails = Stages.Count <= SourceFailures;
                IReadOnlyList<StatementSourceFailure> failed = stripeFails ? [new("stripe", "InjectedFaultException")] : [];
                if (request.Providers is not null)
                {
                    return new StagedStatement(date, request.Run, request.FirstChunk + (stripeFails ? 0 : 1), request.LinesBefore + (stripeFails ? 0 : 1), failed);
                }
                // The first staging reconciles its first chunks itself, and finishes a day it reconciled in full.
                var chunks = stripeFails ? 2 : 3;
                var reconciled = Math.Min(chunks, request.ReconcileChunks);
                var finished = request.ReconcileChunks > 0 && reconciled == chunks && failed.Count == 0
                    ? new StatementRunResult(date, chunks, 0, 0, 0)
                    : null;
                return new StagedStatement(date, request.Run, chunks, chunks, failed, reconciled, finished);
            }
        }

        public ChunkResult Reconcile(StatementChunk chunk)
        {
            var attempt = ChunkAttempts.AddOrUpdate(chunk.Chunk, 1, (_, n) => n + 1);
            return chunk.Chunk == 0 && attempt <= ChunkFailures
                ? throw new InvalidOperationException("storage is down (scripted)")
                : new ChunkResult(1, 0, 0, 0);
        }

        public StatementRunResult Finish(StatementRunTotals totals)
        {
            lock (Finished)
            {
                Finished.Add(totals);
            }
            return new StatementRunResult(totals.Date, totals.Lines, 0, 0, 0);
        }

        public bool Fail(StatementRunFailure failure)
        {
            lock (Failures)
            {
                Failures.Add(failure);
            }
            return true;
        }
    }
}
