using System.Diagnostics;
using Azure.Data.Tables;
using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;

namespace Payments.Benchmarks.Requests;

/// <summary>
/// Storage requests per paid order, end to end: the local host runs with every storage setting
/// pointed at <see cref="CountingStorageProxy"/>, N orders are registered, paid with signed
/// callbacks through intake and driven to Completed, and each phase's requests are counted by
/// service, kind and step, with the idle host's background (the Durable provider's polling and
/// lease renewals) measured on its own and subtracted.
/// </summary>
/// <remarks>
/// The bench watches progress through its own clients straight to Azurite (the Durable Instances
/// table and nothing else), so its polling is never counted. Phases: <c>register</c> (order row,
/// saga start, stock reservation, up to the saga waiting for payment), <c>pay</c> (the callback
/// through intake to the saga's completion), <c>settle</c> (the outbox relay's later look at each
/// success raised to a running saga, run once by hand as the reconciler's timer would).
/// </remarks>
public static class RequestsBench
{
    private const string Suite = "requests";
    private const int ClientConcurrency = 16;

    /// <summary>Documented targets of one standard storage account (learn.microsoft.com, storage scalability targets).</summary>
    public const double AccountRequestsPerSecond = 20_000;
    public const double PartitionEntitiesPerSecond = 2_000;
    public const double QueueMessagesPerSecond = 2_000;

    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        await using var proxy = await CountingStorageProxy.StartAsync(env.Azurite);
        var prefix = env.NewPrefix("requests");
        var hub = prefix + "hub";
        proxy.Attribute(prefix, hub);
        await using var host = await env.StartHostAsync(prefix, s =>
        {
            s["AzureWebJobsStorage"] = proxy.ConnectionString;
            s["PaymentsStorage:ConnectionString"] = proxy.ConnectionString;
        });
        var instances = new TableClient(env.Azurite.ConnectionString, hub + "Instances");
        var count = options.RequestOrders;
        var orders = Enumerable.Range(1, count)
            .Select(i => new OrderRequest($"r{i}", $"cust-r{i}", [new OrderLine($"sku-r{i}", 1)], 2500, "EUR", "standard", $"pay-r{i}"))
            .ToArray();
        var stock = host.Services.GetRequiredService<StockLedger>();
        foreach (var order in orders)
        {
            await stock.SetLevelAsync(order.Lines[0].Sku, 1);
        }

        // The host has created its task hub and tables and the setup writes are done; let it settle into idle polling.
        await Task.Delay(TimeSpan.FromSeconds(3));
        log.WriteLine($"  requests: idle host for {options.RequestIdleSeconds} s");
        var idle = await MeasureAsync(proxy, () => Task.Delay(TimeSpan.FromSeconds(options.RequestIdleSeconds)));

        log.WriteLine($"  requests: registering {count} orders");
        var registration = host.Services.GetRequiredService<OrderRegistration>();
        var register = await MeasureAsync(proxy, async () =>
        {
            await Parallel.ForEachAsync(orders, Clients, async (order, ct) =>
            {
                if (await registration.RegisterAsync(order, host.Durable, ct) is not RegistrationResult.Started)
                {
                    throw new InvalidOperationException($"Order {order.OrderId} did not start.");
                }
            });
            await WaitForAsync(instances, count, r => r.GetString("CustomStatus")?.Contains("AwaitingPayment", StringComparison.Ordinal) == true, "wait for payment");
            // The episode that shows AwaitingPayment is committed by then; its timer and queue work may trail a little.
            await Task.Delay(TimeSpan.FromSeconds(1));
        });

        log.WriteLine($"  requests: paying {count} orders through intake");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var callbackUrl = new Uri(host.BaseAddress, "api/callbacks/standard");
        var wall = TimeSpan.Zero;
        var pay = await MeasureAsync(proxy, async () =>
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(orders, Clients, async (order, ct) =>
            {
                var body = SignedCallbacks.Body("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor);
                using var response = await http.SendAsync(SignedCallbacks.Post(callbackUrl, $"msg_req_{order.OrderId}", body), ct);
                response.EnsureSuccessStatusCode();
            });
            await WaitForAsync(instances, count, r => r.GetString("RuntimeStatus") == "Completed", "complete");
            wall = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));
        });

        // The relay leaves rows younger than its settle time alone.
        await Task.Delay(OutboxRelay.SettleTime + TimeSpan.FromSeconds(0.5));
        var relay = host.Services.GetRequiredService<OutboxRelay>();
        var settled = 0;
        var settle = await MeasureAsync(proxy, async () => settled = (await relay.RelayAsync(host.Durable)).RaisedSettled);

        Report(report, idle, [("register", register), ("pay", pay), ("settle", settle)], count, count / wall.TotalSeconds);
        report.Add(Suite, "pay: payment → all Completed", "throughput", count / wall.TotalSeconds, "orders/s");
        report.Add(Suite, "settle", "raised successes settled", settled, "callbacks");
        foreach (var (status, n) in proxy.Statuses())
        {
            report.Add(Suite, "all phases and setup", $"responses {status}", n, "requests");
        }
        foreach (var ((key, status), n) in proxy.Refusals().OrderBy(p => p.Key.Key.Step, StringComparer.Ordinal).ThenBy(p => p.Key.Status))
        {
            report.Add(Suite, "4xx responses, all phases and setup", $"{status} {key.Step} ({key.Service} {key.Kind})", n, "requests");
        }
    }

    private sealed record Phase(IReadOnlyDictionary<StorageRequestKey, long> Requests, IReadOnlyDictionary<StorageRequestKey, long> Entities, TimeSpan Duration)
    {
        /// <summary>This phase's count of a key, less what an idle host does in as long.</summary>
        public double Net(StorageRequestKey key, Phase idle, bool entities = false)
        {
            var (mine, background) = entities ? (Entities, idle.Entities) : (Requests, idle.Requests);
            return mine.GetValueOrDefault(key) - background.GetValueOrDefault(key) * Duration.TotalSeconds / idle.Duration.TotalSeconds;
        }
    }

    private static async Task<Phase> MeasureAsync(CountingStorageProxy proxy, Func<Task> work)
    {
        var (requests, entities) = (proxy.Snapshot(), proxy.EntitySnapshot());
        var clock = Stopwatch.StartNew();
        await work();
        var duration = clock.Elapsed;
        return new Phase(Delta(proxy.Snapshot(), requests), Delta(proxy.EntitySnapshot(), entities), duration);
    }

    private static Dictionary<StorageRequestKey, long> Delta(IReadOnlyDictionary<StorageRequestKey, long> after, IReadOnlyDictionary<StorageRequestKey, long> before) =>
        after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key));

    private static void Report(BenchReport report, Phase idle, (string Name, Phase Phase)[] phases, int orders, double ordersPerSecond)
    {
        var keys = phases.SelectMany(p => p.Phase.Requests.Keys).Concat(idle.Requests.Keys).Distinct()
            .OrderBy(k => k.Step, StringComparer.Ordinal).ThenBy(k => k.Kind, StringComparer.Ordinal).ToArray();
        var idleSeconds = idle.Duration.TotalSeconds;
        foreach (var byService in idle.Requests.GroupBy(p => p.Key.Service).OrderBy(g => g.Key))
        {
            report.Add(Suite, "idle host (background)", $"{byService.Key} requests/s", byService.Sum(p => p.Value) / idleSeconds, "requests/s");
        }
        report.Add(Suite, "idle host (background)", "total requests/s", idle.Requests.Values.Sum() / idleSeconds, "requests/s");

        // Per paid order: every phase's net count, by step and kind, then by service and kind.
        double PerOrder(StorageRequestKey key, bool entities = false) => phases.Sum(p => p.Phase.Net(key, idle, entities)) / orders;
        foreach (var step in keys.GroupBy(k => k.Step))
        {
            foreach (var key in step.GroupBy(k => k.Kind))
            {
                var value = key.Sum(k => PerOrder(k));
                if (Math.Abs(value) >= 0.05)
                {
                    report.Add(Suite, $"per paid order: {step.Key}", key.Key, value, "requests");
                }
            }
        }
        foreach (var service in keys.GroupBy(k => k.Service).OrderBy(g => g.Key))
        {
            foreach (var kind in service.GroupBy(k => k.Kind))
            {
                report.Add(Suite, $"per paid order: all {service.Key}", kind.Key, kind.Sum(k => PerOrder(k)), "requests");
            }
        }
        foreach (var (name, phase) in phases)
        {
            report.Add(Suite, $"per paid order, phase {name}", "net of idle", keys.Sum(k => phase.Net(k, idle)) / orders, "requests");
            report.Add(Suite, $"per paid order, phase {name}", "raw (idle included)", phase.Requests.Values.Sum() / (double)orders, "requests");
            report.Add(Suite, $"per paid order, phase {name}", "phase length", phase.Duration.TotalSeconds, "s");
        }
        var total = keys.Sum(k => PerOrder(k));
        var writes = keys.Where(k => k.Kind != StorageRequestClassifier.Read).Sum(k => PerOrder(k));
        report.Add(Suite, "per paid order, all phases", "requests (net of idle)", total, "requests");
        report.Add(Suite, "per paid order, all phases", "of which writes + dequeues", writes, "requests");
        report.Add(Suite, "per paid order, all phases", "table entities touched", keys.Where(k => k.Service == "table").Sum(k => PerOrder(k, entities: true)), "entities");

        // What one account's documented targets allow: the account's request rate, the busiest single
        // queue, and the inbox's partition (one per provider: every callback of a gateway lands there).
        var accountCeiling = AccountRequestsPerSecond / total;
        report.Add(Suite, "ceiling per storage account", "20,000 requests/s ÷ requests per order", accountCeiling, "orders/s");
        var workItems = keys.Where(k => k.Step == "durable: work-item queue").Sum(k => PerOrder(k));
        if (workItems > 0)
        {
            report.Add(Suite, "ceiling of the one work-item queue", "2,000 messages/s ÷ its requests per order", QueueMessagesPerSecond / workItems, "orders/s");
        }
        var inboxEntities = keys.Where(k => k.Step == "intake: inbox").Sum(k => PerOrder(k, entities: true));
        if (inboxEntities > 0)
        {
            report.Add(Suite, "ceiling of one provider's inbox partition", "2,000 entities/s ÷ its entities per order", PartitionEntitiesPerSecond / inboxEntities, "orders/s");
        }
        var idleTotal = idle.Requests.Values.Sum() / idleSeconds;
        report.Finding(Suite,
            $"A paid order costs {total:0.0} storage requests end to end ({writes:0.0} writes and dequeues), net of the idle host's " +
            $"{idleTotal:0.0} requests/s of background (Durable polling at LocalHost:MaxQueuePollingMs); measured at {ordersPerSecond:0.0} orders/s. " +
            $"One storage account's 20,000 requests/s target then carries at most {accountCeiling:0} orders/s, before any background; " +
            (workItems > 0 ? $"the task hub's single work-item queue ({workItems:0.0} requests per order against ~2,000 messages/s) ~{QueueMessagesPerSecond / workItems:0} orders/s; " : "") +
            (inboxEntities > 0 ? $"one provider's inbox partition ({inboxEntities:0.0} entities per order against 2,000 entities/s) ~{PartitionEntitiesPerSecond / inboxEntities:0} orders/s." : ""));
    }

    /// <summary>Polls the Durable Instances table straight on Azurite (uncounted) until <paramref name="count"/> rows match.</summary>
    private static async Task WaitForAsync(TableClient instances, int count, Func<TableEntity, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            var matched = 0;
            await foreach (var row in instances.QueryAsync<TableEntity>(select: ["PartitionKey", "CustomStatus", "RuntimeStatus"]))
            {
                if (row.PartitionKey.StartsWith("order-", StringComparison.Ordinal) && done(row))
                {
                    matched++;
                }
            }
            if (matched >= count)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {matched} of {count} sagas reached '{what}'.");
            }
            await Task.Delay(100);
        }
    }

    private static ParallelOptions Clients => new() { MaxDegreeOfParallelism = ClientConcurrency };
}
