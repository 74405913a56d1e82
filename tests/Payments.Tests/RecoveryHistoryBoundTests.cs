using Azure.Data.Tables;
using Payments.Benchmarks.Requests;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// What one recovery tick (every step once: relay and active query, refund tracking, crashed-saga
/// sweep, failed-refund sweep) reads, counted at the storage wire before and after 2,000 finished
/// orders of history are seeded under it — order rows, their completed sagas, sagas that crashed and
/// were settled long ago, refunds done and refunds parked — straight into the tables, as a year of
/// traffic would have left them. Every query of a tick reads an index of open work or an instance by
/// id, so the count is the same.
/// </summary>
public sealed class RecoveryHistoryBoundTests(RecoveryHistoryBoundTests.Fixture fixture) : IClassFixture<RecoveryHistoryBoundTests.Fixture>
{
    private const int FinishedOrders = 2_000;

    public sealed class Fixture : IAsyncLifetime
    {
        public PipelineHost Pipeline { get; private set; } = null!;

        public CountingStorageProxy Proxy { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Proxy = await CountingStorageProxy.StartAsync(await Azurite.SharedAsync());
            Pipeline = await PipelineHost.StartAsync("history", s =>
            {
                s["AzureWebJobsStorage"] = Proxy.ConnectionString;
                s["PaymentsStorage:ConnectionString"] = Proxy.ConnectionString;
                // The open sagas stay idle for the whole test: no episode of theirs among the counted requests.
                s["Saga:PaymentWindowSeconds"] = "3600";
            });
            Proxy.Attribute(Pipeline.Prefix, Pipeline.Prefix + "hub");
        }

        public async Task DisposeAsync()
        {
            await Pipeline.DisposeAsync();
            await Proxy.DisposeAsync();
        }
    }

    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_recovery_tick_reads_as_many_rows_and_makes_as_many_requests_with_2000_finished_orders_as_with_none()
    {
        await Pipeline.Service<Ledger.StockLedger>().SetLevelAsync("sku-open", 10);
        foreach (var n in Enumerable.Range(1, 3))
        {
            var order = await Pipeline.RegisterOrderAsync($"open{n}", sku: "sku-open");
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        }
        var reconciler = Pipeline.Service<Reconciler>();
        var index = Pipeline.Service<OpenOrchestrationIndex>();
        await reconciler.RunAsync(Pipeline.Durable); // settles in: the first look at each open saga

        var (small, smallRows, smallReport) = await CountedTickAsync(reconciler, index);
        await SeedHistoryAsync();
        var (large, largeRows, largeReport) = await CountedTickAsync(reconciler, index);

        Assert.Equal(3, smallRows); // the three open sagas' index rows, read by the crashed-saga sweep
        Assert.Equal(smallRows, largeRows);
        Assert.Equal(small, large);
        Assert.True(small.GetValueOrDefault("durable: instances table") >= 3, "each open saga is looked at by id");
        Assert.Equal(smallReport.Steps!.Select(s => (s.Step, s.Examined, s.Left)), largeReport.Steps!.Select(s => (s.Step, s.Examined, s.Left)));
        Assert.Equal([RecoverySteps.RelayAndQuery, RecoverySteps.RefundTracking, RecoverySteps.CrashedSagas, RecoverySteps.FailedRefunds], largeReport.Steps!.Select(s => s.Step));
    }

    /// <summary>The tick's requests by step, leaving out the Durable worker's own background (queue polls, leases, partitions).</summary>
    private async Task<(Dictionary<string, long> Requests, long IndexRows, ReconcilerReport Report)> CountedTickAsync(Reconciler reconciler, OpenOrchestrationIndex index)
    {
        var before = fixture.Proxy.Snapshot();
        var rowsBefore = index.RowsRead;
        var report = await reconciler.RunAsync(Pipeline.Durable);
        var after = fixture.Proxy.Snapshot();
        var requests = after
            .Where(p => !p.Key.Step.StartsWith("durable:", StringComparison.Ordinal) || p.Key.Step == "durable: instances table")
            .Select(p => (Step: $"{p.Key.Step} {p.Key.Kind}", Count: p.Value - before.GetValueOrDefault(p.Key)))
            .Where(p => p.Count > 0)
            .ToDictionary(p => p.Step, p => p.Count);
        // Keyed with the kind for the message; summed per step for the instances check.
        requests["durable: instances table"] = requests.Where(p => p.Key.StartsWith("durable: instances table ", StringComparison.Ordinal)).Sum(p => p.Value);
        return (requests, index.RowsRead - rowsBefore, report);
    }

    /// <summary>
    /// Finished orders as the pipeline leaves them, written past the proxy (seeding is not the tick's):
    /// the order row, its completed saga's instance row; every tenth saga terminated and its order
    /// cancelled by a sweep long ago (index row gone); every tenth a completed refund, every fortieth a
    /// refund failed and parked for an operator.
    /// </summary>
    private async Task SeedHistoryAsync()
    {
        var tables = new TableServiceClient((await Azurite.SharedAsync()).ConnectionString);
        var orders = tables.GetTableClient(Pipeline.Prefix + TableNames.Orders);
        var instances = tables.GetTableClient(Pipeline.Prefix + "hub" + "Instances");
        var longAgo = DateTimeOffset.UtcNow.AddDays(-200);
        await Parallel.ForEachAsync(Enumerable.Range(1, FinishedOrders), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, ct) =>
        {
            var orderId = $"hist{n}";
            var crashed = n % 10 == 0;
            await orders.UpsertEntityAsync(new TableEntity(orderId, "order")
            {
                ["CustomerId"] = "cust-" + orderId, ["Provider"] = "standard", ["PaymentId"] = "pay-" + orderId, ["AmountMinor"] = 2500L,
                ["Currency"] = "EUR", ["Status"] = crashed ? "Cancelled" : "Completed", ["Step"] = crashed ? "Cancelled" : "Completed",
                ["RegisteredAt"] = longAgo, ["UpdatedAt"] = longAgo, ["Lines"] = """[{"Sku":"sku-old","Quantity":1}]""",
            }, TableUpdateMode.Replace, ct);
            await instances.UpsertEntityAsync(Instance(OrderSaga.InstanceId(orderId), OrderSaga.Name, crashed ? "Terminated" : "Completed", longAgo), TableUpdateMode.Replace, ct);
            if (n % 10 == 5 || n % 40 == 7)
            {
                await instances.UpsertEntityAsync(Instance(LatePaymentRefund.InstanceId("pay-" + orderId), LatePaymentRefund.Name, n % 10 == 5 ? "Completed" : "Failed", longAgo), TableUpdateMode.Replace, ct);
            }
        });
    }

    private static TableEntity Instance(string instanceId, string name, string status, DateTimeOffset at) => new(instanceId, "")
    {
        ["Name"] = name, ["Version"] = "", ["ExecutionId"] = Guid.NewGuid().ToString("N"), ["RuntimeStatus"] = status,
        ["CreatedTime"] = at.UtcDateTime, ["LastUpdatedTime"] = at.UtcDateTime, ["CompletedTime"] = at.UtcDateTime, ["Input"] = "null", ["Output"] = "null",
    };
}
