using System.Net.Http.Json;
using Payments.Contracts;
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
/// staged, a day that fits is finished by the step, the step completes what a dead attempt left
/// pending, withdraws malformed lines recorded at its positions before recording its own, and
/// retried after it acted (its result lost with its host) counts each discrepancy once.
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

        // The whole day within the step's share: reconciled and finished there. A dead attempt of the step left a
        // discrepancy recorded and not acted on, and a malformed line at a position whose line is now another
        // (its gateway's read broke off): the step completes the one and withdraws the other.
        var run = Guid.NewGuid();
        var stranded = new Discrepancy(date, DiscrepancyClass.UnknownLocally, "pay-inline-stranded", "inline-stranded", 300, "EUR", ReconciliationStore.Pending, "left by a dead attempt");
        Assert.True(await reports.AddPendingAsync(stranded, run, 0, "capture", DateTimeOffset.UtcNow, CancellationToken.None));
        await reports.AddMalformedAsync(new MalformedStatementLine(date, 99, "a line of a gateway whose read broke off"), 0, CancellationToken.None);
        var request = new StatementStageRequest(date, run, ReconcileChunks: StatementRun.ParallelChunks);
        var first = await reconciler.StageAsync(request, Pipeline.Durable);
        // Then the step again, as after a host that died before its result was recorded.
        var retried = await reconciler.StageAsync(request, Pipeline.Durable);

        Assert.Equal(first.Chunks, first.ReconciledChunks);
        Assert.NotNull(first.Finished);
        Assert.NotNull(retried.Finished);
        // Counted from the rows this run acted on, once each, however often the step ran.
        Assert.Equal(3, first.Finished.NewDiscrepancies);
        Assert.Equal(3, retried.Finished.NewDiscrepancies);
        var rows = (await reports.ListAsync(date, CancellationToken.None)).Where(d => d.PaymentId.StartsWith("pay-inline-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["pay-inline-ghost-1", "pay-inline-ghost-2", "pay-inline-stranded"], rows.Select(r => r.PaymentId).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("parked", r.Action));
        Assert.Empty(await reports.ListMalformedAsync(date, CancellationToken.None));
        Assert.Equal(0, retried.Finished.Malformed);
        Assert.True(await reports.IsFinishedAsync(date, CancellationToken.None));
        Assert.Equal(404, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => stage.ReadChunkAsync(date, run, 0, CancellationToken.None))).Status);

        // One line per chunk here: the first chunk is reconciled by the step, the others staged for their activities.
        var partial = Guid.NewGuid();
        var staged = await reconciler.StageAsync(new StatementStageRequest(date, partial, ReconcileChunks: 1), Pipeline.Durable);
        Assert.True(staged.Chunks >= 2, $"{staged.Chunks} chunks");
        Assert.Equal(1, staged.ReconciledChunks);
        Assert.Null(staged.Finished);
        Assert.Equal(404, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => stage.ReadChunkAsync(date, partial, 0, CancellationToken.None))).Status);
        Assert.NotEmpty((await stage.ReadChunkAsync(date, partial, 1, CancellationToken.None)).ToArray());
        await stage.DeleteRunAsync(date, partial, CancellationToken.None);
    }
}
