using System.Net.Http.Json;
using Payments.Contracts;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline of its own, so its day's statement holds only what its test put there.</summary>
public sealed class StatementRunCountFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stmtcount", settings => settings["Reconciler:StatementChunkLines"] = "1");
}

/// <summary>
/// A run's count of new discrepancies comes from the report's rows, not from its chunks' results:
/// a chunk retried after it had acted (its result lost with its host) counts once, and a discrepancy
/// an earlier, failed run left pending is completed and counted by the next run.
/// </summary>
public sealed class StatementRunCountTests(StatementRunCountFixture fixture) : IClassFixture<StatementRunCountFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_chunk_retried_after_acting_counts_its_discrepancy_once_and_pending_rows_of_a_failed_run_or_from_before_runs_were_named_are_finished_by_the_next_run()
    {
        (await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = "pay-count-ghost", orderId = "count-ghost", amountMinor = 700, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
        await Pipeline.Gateway.PayAsync("pay-count-ghost");
        var date = DateOnly.FromDateTime(DateTime.UtcNow);
        var reconciler = Pipeline.Service<StatementReconciler>();
        var reports = Pipeline.Service<ReconciliationStore>();
        // What a failed run of the day left behind: a discrepancy written, never acted on, in a chunk this run's chunking does not have.
        var failedRun = Guid.NewGuid();
        var stranded = new Discrepancy(date, DiscrepancyClass.UnknownLocally, "pay-count-stranded", "count-stranded", 300, "EUR", ReconciliationStore.Pending, "left by a failed run");
        Assert.True(await reports.AddPendingAsync(stranded, failedRun, 99, "capture", DateTimeOffset.UtcNow, CancellationToken.None));
        // And one written before pending rows named their run: no Run, no Chunk column.
        var legacy = new Discrepancy(date, DiscrepancyClass.UnknownLocally, "pay-count-legacy", "count-legacy", 400, "EUR", ReconciliationStore.Pending, "left before runs were named");
        Assert.True(await reports.AddPendingAsync(legacy, failedRun, 0, "capture", DateTimeOffset.UtcNow, CancellationToken.None));
        var table = await Pipeline.Service<PaymentsStorage>().TableAsync(TableNames.Reconciliation);
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>("PaymentId eq 'pay-count-legacy'"))
        {
            Assert.True(row.Remove("Run") && row.Remove("Chunk"));
            await table.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        }

        var run = Guid.NewGuid();
        var staged = await reconciler.StageAsync(new StatementStageRequest(date, run));
        Assert.Equal(1, staged.Chunks);
        await reconciler.ReconcileChunkAsync(new StatementChunk(date, run, 0), Pipeline.Durable);
        await reconciler.ReconcileChunkAsync(new StatementChunk(date, run, 0), Pipeline.Durable); // the retry of a chunk whose result was lost
        var result = await reconciler.FinishAsync(new StatementRunTotals(date, run, staged.Lines));

        Assert.Equal(3, result.NewDiscrepancies);
        var rows = (await reports.ListAsync(date, CancellationToken.None)).ToDictionary(d => d.PaymentId, d => d.Action);
        Assert.Equal("parked", rows["pay-count-ghost"]);
        Assert.Equal("parked", rows["pay-count-stranded"]);
        Assert.Equal("parked", rows["pay-count-legacy"]);
        Assert.Equal(0, (await Pipeline.ReconcileStatementAsync(date)).NewDiscrepancies);
    }
}
