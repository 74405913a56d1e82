using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Webhooks delivered, statements cut into chunks of three rows, and one glitched row in every statement.</summary>
public sealed class StatementRunFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "stmtrun", settings => settings["Reconciler:StatementChunkLines"] = "3", gateway: g => g with { MalformedStatementLines = 1 });
}

/// <summary>
/// The day's statement as a Durable orchestration on the real engine and Azurite: in chunks, the
/// ledger read by range, a malformed row isolated, quoted ids intact, and a second run changing nothing.
/// </summary>
public sealed class StatementRunTests(StatementRunFixture fixture) : IClassFixture<StatementRunFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_day_is_reconciled_chunk_by_chunk_from_range_reads_with_its_malformed_line_isolated_and_a_second_run_changes_nothing()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-run", 20);
        var paid = new List<OrderRequest>();
        for (var i = 0; i < 6; i++)
        {
            var order = await Pipeline.RegisterOrderAsync($"run{i}", amount: 1000 + i, sku: "sku-run");
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
            await Pipeline.Gateway.PayAsync(order.PaymentId);
            paid.Add(order);
        }
        foreach (var order in paid)
        {
            Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        }
        // A capture for an order this pipeline never saw (an id the order API could hold: one it cannot is a malformed line).
        const string ghost = "ghost-q";
        (await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = "pay-run-ghost", orderId = ghost, amountMinor = 900, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
        await Pipeline.Gateway.PayAsync("pay-run-ghost");
        var reconciler = Pipeline.Service<StatementReconciler>();
        var book = Pipeline.Service<OrderBook>();
        var (pointReadsBefore, indexRowsBefore) = (reconciler.OrderPointReads, book.CaptureIndexRowsRead);

        var report = await Pipeline.ReconcileStatementAsync();

        // 6 captures + the ghost + the glitched row, three rows a chunk.
        Assert.Equal((8L, 3, 3), (report.Lines, report.Chunks, report.ChunksDone));
        var malformed = Assert.Single(report.Malformed!);
        Assert.Equal((3L, "amount_minor is not a whole non-negative number"), (malformed.LineNumber, malformed.Reason));
        var found = Assert.Single(report.Discrepancies);
        Assert.Equal((DiscrepancyClass.UnknownLocally, "pay-run-ghost", ghost, "parked"), (found.Class, found.PaymentId, found.OrderId, found.Action));
        // Every healthy line settled by the chunks' range reads of the capture index; only the ghost read an order row.
        Assert.Equal(1, reconciler.OrderPointReads - pointReadsBefore);
        Assert.True(book.CaptureIndexRowsRead - indexRowsBefore >= paid.Count);
        var parked = await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync());

        var again = await Pipeline.ReconcileStatementAsync();

        Assert.Equal(0, again.NewDiscrepancies);
        Assert.Equal(report.Discrepancies, again.Discrepancies);
        Assert.Equal(report.Malformed, again.Malformed);
        Assert.Equal(parked.Count, (await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync())).Count);
        Assert.All(paid, order => Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId)));
    }
}

/// <summary>A pipeline of its own, so its day's statement holds only what its test put there.</summary>
public sealed class LegacyCaptureFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stmtlegacy");
}

/// <summary>Orders captured before the capture index existed: found by their order row until the one-off upgrade indexes them.</summary>
public sealed class LegacyCaptureTests(LegacyCaptureFixture fixture) : IClassFixture<LegacyCaptureFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_captured_order_recorded_before_the_capture_index_still_reconciles_and_the_upgrade_indexes_it()
    {
        var date = DateOnly.FromDateTime(DateTime.UtcNow);
        var before = await Pipeline.ReconcileStatementAsync(date); // whatever else today's statement holds, settled first
        // Paid at the gateway (webhook aside), and Completed in an order row written as the code before the index wrote it.
        (await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = "pay-legacy", orderId = "legacy", amountMinor = 1500, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
        var orders = await Pipeline.Service<PaymentsStorage>().TableAsync(TableNames.Orders);
        var now = DateTimeOffset.UtcNow;
        await orders.AddEntityAsync(new TableEntity("legacy", "order")
        {
            ["CustomerId"] = "c", ["Provider"] = "standard", ["PaymentId"] = "pay-legacy", ["AmountMinor"] = 1500L, ["Currency"] = "EUR",
            ["Status"] = "Completed", ["Step"] = "Completed", ["RegisteredAt"] = now, ["UpdatedAt"] = now, ["PaidAmountMinor"] = 1500L,
            ["PaidCurrency"] = "EUR", ["RegistrationId"] = Guid.NewGuid(), ["Lines"] = "[]",
        });
        await Pipeline.Gateway.PayAsync("pay-legacy");
        var reconciler = Pipeline.Service<StatementReconciler>();

        var reads = reconciler.OrderPointReads;
        var unindexed = await Pipeline.ReconcileStatementAsync(date);
        var fallbackReads = reconciler.OrderPointReads - reads;

        Assert.Equal(before.Discrepancies, unindexed.Discrepancies); // found by its order row: no discrepancy
        Assert.True(fallbackReads >= 1);
        Assert.Equal(1, (await Pipeline.Service<IndexUpgrade>().RunAsync(Pipeline.Durable)).CapturedOrders);

        reads = reconciler.OrderPointReads;
        var indexed = await Pipeline.ReconcileStatementAsync(date);

        Assert.Equal(before.Discrepancies, indexed.Discrepancies);
        Assert.Equal(fallbackReads - 1, reconciler.OrderPointReads - reads); // the legacy order now settles by range read
    }
}
