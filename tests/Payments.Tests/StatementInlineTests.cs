using System.Net.Http.Json;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline of its own, one statement line per chunk, so its day's statement holds only what its test put there.</summary>
public sealed class StatementInlineFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stmtinline", settings => settings["Reconciler:StatementChunkLines"] = "1");
}

/// <summary>
/// The staging step reconciles the day's first chunks itself, from memory: those chunks are never
/// staged, a day that fits is finished by the step, and the step retried after it acted (its result
/// lost with its host) acts and counts once, as a retried chunk does.
/// </summary>
public sealed class StatementInlineTests(StatementInlineFixture fixture) : IClassFixture<StatementInlineFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_staging_step_reconciles_its_first_chunks_and_stages_only_the_rest_and_retried_after_acting_acts_and_counts_once()
    {
        foreach (var id in new[] { "inline-ghost-1", "inline-ghost-2" })
        {
            (await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = $"pay-{id}", orderId = id, amountMinor = 900, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
            await Pipeline.Gateway.PayAsync($"pay-{id}");
        }
        var date = DateOnly.FromDateTime(DateTime.UtcNow);
        var reconciler = Pipeline.Service<StatementReconciler>();
        var reports = Pipeline.Service<ReconciliationStore>();
        var stage = Pipeline.Service<StatementStage>();

        // One line per chunk here: the first chunk is reconciled by the step, the others staged for their activities.
        var partial = Guid.NewGuid();
        var staged = await reconciler.StageAsync(new StatementStageRequest(date, partial, ReconcileChunks: 1), Pipeline.Durable);
        Assert.True(staged.Chunks >= 2, $"{staged.Chunks} chunks");
        Assert.Equal(1, staged.ReconciledChunks);
        Assert.Null(staged.Finished);
        Assert.Equal(404, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => stage.ReadChunkAsync(date, partial, 0, CancellationToken.None))).Status);
        Assert.NotEmpty((await stage.ReadChunkAsync(date, partial, 1, CancellationToken.None)).ToArray());
        await stage.DeleteRunAsync(date, partial, CancellationToken.None);

        // The whole day within the step's share: reconciled and finished there; then the step again, as after a host that died before recording its result.
        var run = Guid.NewGuid();
        var request = new StatementStageRequest(date, run, ReconcileChunks: StatementRun.ParallelChunks);
        var first = await reconciler.StageAsync(request, Pipeline.Durable);
        var retried = await reconciler.StageAsync(request, Pipeline.Durable);

        Assert.Equal(first.Chunks, first.ReconciledChunks);
        Assert.NotNull(first.Finished);
        Assert.NotNull(retried.Finished);
        Assert.Equal(first.Finished.NewDiscrepancies, retried.Finished.NewDiscrepancies);
        var rows = (await reports.ListAsync(date, CancellationToken.None)).Where(d => d.PaymentId.StartsWith("pay-inline-ghost-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["pay-inline-ghost-1", "pay-inline-ghost-2"], rows.Select(r => r.PaymentId).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("parked", r.Action));
        Assert.True(await reports.IsFinishedAsync(date, CancellationToken.None));
        Assert.Equal(404, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => stage.ReadChunkAsync(date, run, 0, CancellationToken.None))).Status);
    }
}
