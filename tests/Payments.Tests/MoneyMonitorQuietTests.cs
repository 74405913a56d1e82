using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Payments.Benchmarks.Requests;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class MoneyMonitorQuietFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("mmquiet");
}

/// <summary>
/// A quiet pipeline breaks no money rule, and the monitor finds it so without reading history: every
/// capture was unlisted by the path that settled it, and each customer whose points moved is checked once.
/// </summary>
public sealed class MoneyMonitorQuietTests(MoneyMonitorQuietFixture fixture) : IClassFixture<MoneyMonitorQuietFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_quiet_pipeline_has_no_money_findings_and_its_watch_lists_are_empty_after_one_run()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-quiet", 10);
        var orders = new List<OrderRequest>();
        foreach (var id in new[] { "q1", "q2", "q3" })
        {
            orders.Add(await Pipeline.RegisterOrderAsync(id, sku: "sku-quiet"));
        }
        var shortPaid = await Pipeline.RegisterOrderAsync("q4", sku: "sku-quiet");
        foreach (var order in orders.Append(shortPaid))
        {
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        }
        foreach (var order in orders)
        {
            await Pipeline.Gateway.PayAsync(order.PaymentId);
            Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        }
        await Pipeline.Gateway.PayAsync(shortPaid.PaymentId, amountMinor: 2000); // refunded in full by the saga
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.WaitForOutcomeAsync(shortPaid.OrderId)).Status);
        // After the sale: a partial refund, its points reversed.
        using (var refund = await Pipeline.Http.PostAsJsonAsync($"api/orders/{orders[0].OrderId}/refunds", new { amountMinor = 500, reason = "customer_return", idempotencyKey = "quiet-r1" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        }
        await WaitForStatusAsync(orders[0].OrderId, OrderStatus.PartiallyRefunded);

        var monitor = ActivatorUtilities.CreateInstance<MoneyMonitor>(Pipeline.Host.Services, (TimeProvider)new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(30)));
        var first = await monitor.RunAsync();
        Assert.Empty(first.Findings);
        Assert.All(MoneyRuleNames.All, rule => Assert.Equal(0, first.FindingsByRule[rule]));
        Assert.Equal((0, 0, 0), (first.CapturesWatched, first.CapturesSettledSinceWatched, first.OpenRefunds)); // settled captures were unlisted as they settled
        Assert.Equal(3, first.CustomersChecked); // the three whose points moved (q4 got none)

        var second = await monitor.RunAsync();
        Assert.Equal((0, 0, 0, 0), (second.Findings.Count, second.CapturesWatched, second.OpenRefunds, second.CustomersChecked));
        var stored = (await Pipeline.Service<Payments.Storage.MoneyFindingStore>().ReadAsync())!;
        Assert.Empty(stored.Findings);
        Assert.Equal(second.RanAt, stored.RanAt);
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, new Dictionary<string, long> { ["sku-quiet"] = 10 });
    }

    private async Task WaitForStatusAsync(string orderId, OrderStatus status)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while ((await Pipeline.Service<OrderBook>().GetAsync(orderId, cts.Token))?.Status != status)
        {
            await Task.Delay(200, cts.Token);
        }
    }
}

/// <summary>
/// What the money monitor costs at the storage wire, counted by table: per paid order on the hot path,
/// and per run when nothing is wrong (the figures docs/deploy.md gives).
/// </summary>
public sealed class MoneyMonitorRequestCountTests(CountedPipelineFixture fixture) : IClassFixture<CountedPipelineFixture>
{
    private const string Watch = "pipeline: MoneyWatch";
    private const string Findings = "pipeline: MoneyFindings";

    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_paid_order_costs_the_monitor_two_writes_and_a_quiet_run_a_read_per_list_and_one_write()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mmcount", 5);
        var order = await Pipeline.RegisterOrderAsync("mmcount1", sku: "sku-mmcount");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        var monitor = Pipeline.Service<MoneyMonitor>();
        await monitor.RunAsync(); // tables created, the run row written once

        var before = fixture.Proxy.Snapshot();
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var pay = Counted(before);
        // The capture listed with its record; unlisted with the customer's points listed, one transaction, at Completed.
        Assert.Equal((2L, 0L), (pay(Watch, StorageRequestClassifier.Write), pay(Watch, StorageRequestClassifier.Read)));

        before = fixture.Proxy.Snapshot();
        Assert.Equal(1, (await monitor.RunAsync()).CustomersChecked);
        var touched = Counted(before);
        // Both lists (one query each), the customer's points partition, the customer cleared.
        Assert.Equal((2L, 1L), (touched(Watch, StorageRequestClassifier.Read), touched(Watch, StorageRequestClassifier.Write)));
        Assert.Equal(1, touched("ledger: points", StorageRequestClassifier.Read));
        // The open refunds (one query), the stored findings (one query), the run row.
        Assert.Equal(1, touched("pipeline: MoneyOpen", StorageRequestClassifier.Read));
        Assert.Equal((1L, 1L), (touched(Findings, StorageRequestClassifier.Read), touched(Findings, StorageRequestClassifier.Write)));
        Assert.Equal(7, Total(before));

        before = fixture.Proxy.Snapshot();
        await monitor.RunAsync();
        Assert.Equal(5, Total(before)); // nothing in flight: three list reads, the findings' read, the run row
    }

    /// <summary>Requests since <paramref name="before"/> of one step and kind.</summary>
    private Func<string, string, long> Counted(IReadOnlyDictionary<StorageRequestKey, long> before)
    {
        var now = fixture.Proxy.Snapshot();
        return (step, kind) => now.Where(p => p.Key.Step == step && p.Key.Kind == kind).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
    }

    /// <summary>Every request to the pipeline's own tables since <paramref name="before"/> (the Durable engine polls meanwhile; that is not the monitor's).</summary>
    private long Total(IReadOnlyDictionary<StorageRequestKey, long> before) =>
        fixture.Proxy.Snapshot().Where(p => !p.Key.Step.StartsWith("durable", StringComparison.Ordinal)).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
}
