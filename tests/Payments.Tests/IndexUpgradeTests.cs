using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Rows and instances written before the (state, time) indexes existed become visible to their readers after the one-off upgrade.</summary>
public sealed class IndexUpgradeTests(IndexUpgradeTests.Fixture fixture) : IClassFixture<IndexUpgradeTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public PipelineHost Pipeline { get; private set; } = null!;

        public async Task InitializeAsync() => Pipeline = await PipelineHost.StartAsync("upgrade");

        public async Task DisposeAsync() => await Pipeline.DisposeAsync();
    }

    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task Legacy_rows_are_indexed_once_and_then_read_relayed_purged_and_redriven_like_new_ones()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "upg" + Guid.NewGuid().ToString("N")[..8] });
        var clock = TimeProvider.System;
        var now = clock.GetUtcNow();
        var inbox = new InboxStore(storage, clock, TimeSpan.FromDays(3), ["stripe"]);
        var letters = new DeadLetterStore(storage, clock);
        var orders = new OrderBook(storage, clock);

        // Rows exactly as the code before the indexes wrote them.
        var inboxTable = await storage.TableAsync(TableNames.Inbox);
        foreach (var (eventId, state, receivedAt) in new[] { ("evt_legacy_received", "Received", now.AddHours(-1)), ("evt_legacy_dispatched", "Dispatched", now.AddDays(-4)) })
        {
            await inboxTable.AddEntityAsync(new TableEntity("stripe", eventId)
            {
                ["EventId"] = eventId, ["Body"] = new byte[] { 1 }, ["SignatureHeaders"] = "{}", ["ReceivedAt"] = receivedAt,
                ["ExpiresAt"] = receivedAt.AddDays(3), ["State"] = state, ["Kind"] = "Succeeded", ["PaymentId"] = "pi_legacy",
                ["OrderId"] = "legacy1", ["AmountMinor"] = 100L, ["Currency"] = "EUR", ["OccurredAt"] = receivedAt,
            });
        }
        await (await storage.TableAsync(TableNames.DeadLetters)).AddEntityAsync(new TableEntity("lane", Uri.EscapeDataString("stripe:evt_legacy_letter"))
        {
            ["LetterId"] = "stripe:evt_legacy_letter", ["Provider"] = "stripe", ["EventId"] = "evt_legacy_letter", ["OrderId"] = "legacy1",
            ["Reason"] = "unknown_order", ["Description"] = "", ["Attempts"] = 5, ["Status"] = "Parked", ["ParkedAt"] = now.AddDays(-1),
        });
        await (await storage.TableAsync(TableNames.Orders)).AddEntityAsync(new TableEntity("legacy1", "order")
        {
            ["CustomerId"] = "c", ["Provider"] = "stripe", ["PaymentId"] = "pi_legacy", ["AmountMinor"] = 100L, ["Currency"] = "EUR",
            ["Status"] = "AwaitingPayment", ["Step"] = "AwaitingPayment", ["RegisteredAt"] = now.AddHours(-1), ["UpdatedAt"] = now.AddHours(-1),
            ["RegistrationId"] = Guid.NewGuid(), ["Lines"] = "[]",
        });

        Assert.Empty(await Collect.AllAsync(inbox.ListUndispatchedAsync(now)));
        Assert.Empty(await Collect.AllAsync(letters.ListRedrivableAsync(null)));
        Assert.Empty(await Collect.AllAsync(orders.ListAwaitingPaymentAsync(now)));

        // The instances are the other test's (this test's rows are in storage of its own): what it indexes of them is that test's to check.
        var upgrade = new IndexUpgrade(inbox, letters, orders, new OpenOrchestrationBackfill(new OpenOrchestrationIndex(storage, clock)));
        Assert.Equal(new IndexUpgradeReport(2, 1, 1), Rows(await upgrade.RunAsync(Pipeline.Durable)));
        Assert.Equal(new IndexUpgradeReport(0, 0, 1), Rows(await upgrade.RunAsync(Pipeline.Durable))); // nothing new; the order's key is the same

        Assert.Equal("evt_legacy_received", Assert.Single(await Collect.AllAsync(inbox.ListUndispatchedAsync(now))).EventId);
        Assert.Equal("stripe:evt_legacy_letter", Assert.Single(await Collect.AllAsync(letters.ListRedrivableAsync(null))).LetterId);
        Assert.Equal("legacy1", Assert.Single(await Collect.AllAsync(orders.ListAwaitingPaymentAsync(now))).OrderId);
        Assert.Equal(1, await inbox.PurgeExpiredAsync()); // the dispatched one, past its retention
        Assert.Null(await inbox.GetAsync("stripe", "evt_legacy_dispatched"));
    }

    private static IndexUpgradeReport Rows(IndexUpgradeReport report) => report with { OpenOrchestrations = 0, OpenOrchestrationsDone = true };

    /// <summary>
    /// A deployment whose sagas started before the open-orchestration index: the sweep cannot see a
    /// saga that crashed then until the upgrade lists the instances not completed, in bounded runs
    /// that go on where the last one stopped, and indexes them; a listing done is not made again.
    /// </summary>
    [Fact]
    public async Task Sagas_started_before_the_sweeps_index_are_indexed_in_bounded_resumable_runs_and_then_swept()
    {
        var open = Pipeline.Service<OpenOrchestrationIndex>();
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-upg", 5);
        var first = await Pipeline.RegisterOrderAsync("upg-old1", sku: "sku-upg");
        var second = await Pipeline.RegisterOrderAsync("upg-old2", sku: "sku-upg");
        await Pipeline.WaitForStepAsync(first.OrderId, "AwaitingPayment");
        await Pipeline.WaitForStepAsync(second.OrderId, "AwaitingPayment");
        // As before the index: no rows. Then the first saga crashes.
        var table = await Pipeline.Service<PaymentsStorage>().TableAsync(TableNames.OpenOrchestrations);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {OpenOrchestrationIndex.Sagas}")))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
        await Pipeline.Durable.TerminateInstanceAsync(OrderSaga.InstanceId(first.OrderId), "crashed before the index");
        await Pipeline.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(first.OrderId));
        var reconciler = Pipeline.Service<Reconciler>();
        Assert.Equal(0, (await reconciler.SweepCrashedSagasAsync(Pipeline.Durable)).CrashedParked); // not seen

        var backfill = new OpenOrchestrationBackfill(open, maxPerRun: 1);
        var runs = new List<(int Indexed, bool Done)>();
        for (var run = 0; run < 5 && runs.LastOrDefault() is not (_, true); run++)
        {
            runs.Add(await backfill.RunAsync(Pipeline.Durable));
        }
        Assert.True(runs.Count >= 2, "one instance per run: the listing goes on in a second run");
        Assert.Equal(2, runs.Sum(r => r.Indexed));
        Assert.Equal((0, true), await backfill.RunAsync(Pipeline.Durable)); // done: not listed again

        var swept = await reconciler.SweepCrashedSagasAsync(Pipeline.Durable);
        Assert.Equal(1, swept.CrashedParked); // nothing captured: closed, released, cancelled and parked
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.Service<OrderBook>().GetAsync(first.OrderId))!.Status);
        Assert.Equal(OrderStatus.AwaitingPayment, (await Pipeline.Service<OrderBook>().GetAsync(second.OrderId))!.Status);
    }
}
