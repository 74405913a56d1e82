using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Benchmarks.Requests;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Operations;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Benchmarks.History;

/// <summary>
/// What a year of orders costs the timers and the console: the same recovery tick (every recovery
/// step once: relay and active query, refund tracking, crashed-saga sweep, failed-refund sweep) and
/// the console's live counts, measured over the same open work with a small history and then a large
/// one (<c>--Bench:HistorySizes</c>): finished orders seeded straight into the tables — order rows,
/// completed sagas, sagas that crashed and were settled long ago, refunds done and refunds parked —
/// as the pipeline leaves them. Counted through <see cref="CountingStorageProxy"/>, the Durable
/// worker's own background (queue polls, leases, partitions) left out; the seeding goes past it.
/// For comparison, the listing the crashed-saga sweep used to make (Failed/Terminated <c>order-</c>
/// instances, a scan of the Instances table) is timed at each size too.
/// </summary>
public static class HistoryBench
{
    private const string Suite = "history";
    private const int OpenOrders = 20;
    private const int CachedRefreshes = 20;

    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        await using var proxy = await CountingStorageProxy.StartAsync(env.Azurite);
        var prefix = env.NewPrefix("history");
        var hub = prefix + "hub";
        proxy.Attribute(prefix, hub);
        await using var host = await env.StartHostAsync(prefix, s =>
        {
            s["AzureWebJobsStorage"] = proxy.ConnectionString;
            s["PaymentsStorage:ConnectionString"] = proxy.ConnectionString;
            // The open orders stay idle while measured (no episode of theirs among the counts), and are not queried.
            s["Saga:PaymentWindowSeconds"] = "3600";
            s["Reconciler:ActiveQueryAfterSeconds"] = "3600";
            // Every open saga is past its grace, so each tick looks at each of them by id: the sweep's cost of open work, in full.
            s["Reconciler:CrashedSagaGraceSeconds"] = "0";
        });
        var services = host.Services;
        var instances = new TableClient(env.Azurite.ConnectionString, hub + "Instances");

        log.WriteLine($"  history: {OpenOrders} open orders awaiting payment");
        var stock = services.GetRequiredService<StockLedger>();
        await stock.SetLevelAsync("sku-hist-open", OpenOrders);
        var registration = services.GetRequiredService<OrderRegistration>();
        foreach (var n in Enumerable.Range(1, OpenOrders))
        {
            var order = new OrderRequest($"open{n}", $"cust-open{n}", [new OrderLine("sku-hist-open", 1)], 2500, "EUR", "standard", $"pay-open{n}");
            if (await registration.RegisterAsync(order, host.Durable) is not RegistrationResult.Started)
            {
                throw new InvalidOperationException($"Order {order.OrderId} did not start.");
            }
        }
        await WaitForAwaitingAsync(instances, OpenOrders);
        // Past the registration's start grace, the active query's healing looks at every open order each tick: wait for it, so that
        // every size is measured with the same open work due.
        await Task.Delay(OrderRegistration.StartGrace + TimeSpan.FromSeconds(1));

        var reconciler = services.GetRequiredService<Reconciler>();
        var work = services.GetRequiredService<OperatorWork>();
        await reconciler.RunAsync(host.Durable); // warm: JIT, table clients, the first look at each open saga
        await work.CountAsync();
        await ListAsTheSweepUsedToAsync(host.Durable);

        var seeded = 0;
        var measured = new List<(int Size, SizeResult Result)>();
        foreach (var size in options.HistoryOrderSizes)
        {
            log.WriteLine($"  history: seeding finished orders up to {size:N0}");
            var seedTime = Stopwatch.StartNew();
            await SeedAsync(env.Azurite.ConnectionString, prefix, hub, seeded, size);
            seeded = size;
            report.Add(Suite, $"{size:N0} finished orders", "seeding", seedTime.Elapsed.TotalSeconds, "s");

            var result = await MeasureSizeAsync(proxy, host.Durable, reconciler, work, services.GetRequiredService<LiveCountsCache>(), options.HistoryTicks);
            measured.Add((size, result));
            Report(report, size, result);
            log.WriteLine($"  history: {size:N0}: tick {result.TickMs:0} ms, {result.TickRequests:0.#} requests; counts {result.CountMs:0} ms, {result.CountRequests:0} requests; old listing {result.OldListingMs:0} ms");
        }

        if (measured.Count >= 2)
        {
            var (small, s) = measured[0];
            var (large, l) = measured[^1];
            report.Add(Suite, $"{large:N0} ÷ {small:N0}", "tick time", l.TickMs / s.TickMs, "x");
            report.Add(Suite, $"{large:N0} ÷ {small:N0}", "tick requests", l.TickRequests / s.TickRequests, "x");
            report.Add(Suite, $"{large:N0} ÷ {small:N0}", "console refresh (cached) requests", l.CachedRefreshRequests, "requests");
            report.Add(Suite, $"{large:N0} ÷ {small:N0}", "console counts read (uncached) time", l.CountMs / s.CountMs, "x");
            report.Add(Suite, $"{large:N0} ÷ {small:N0}", "old crashed-saga listing time", l.OldListingMs / s.OldListingMs, "x");
            report.Finding(Suite,
                $"Recovery tick with {large:N0} vs {small:N0} finished orders: {l.TickMs / s.TickMs:0.00}× the time, {l.TickRequests / s.TickRequests:0.00}× the storage requests " +
                $"({l.TickRequests:0.#} vs {s.TickRequests:0.#}; target ≤ 1.2×). The console's counts read (once per {LiveCountsCache.MaxAge.TotalSeconds:0} s, shared by every tab) " +
                $"takes {l.CountMs / s.CountMs:0.0}× as long ({l.CountRequests:0} vs {s.CountRequests:0} requests): it still reads the order table's status column. " +
                $"The listing the sweep used to make: {l.OldListingMs / s.OldListingMs:0.0}× as long.");
        }
    }

    private sealed record SizeResult(double TickMs, double TickRequests, double TickIndexRows, double CountMs, double CountRequests, double CachedRefreshRequests, double OldListingMs,
        IReadOnlyDictionary<string, double> StepMs);

    private static async Task<SizeResult> MeasureSizeAsync(CountingStorageProxy proxy, DurableTaskClient durable, Reconciler reconciler, OperatorWork work, LiveCountsCache cache, int ticks)
    {
        var times = new List<double>();
        var requests = new List<double>();
        var rows = new List<double>();
        var steps = new Dictionary<string, List<double>>();
        for (var tick = 0; tick < ticks; tick++)
        {
            var before = proxy.Snapshot();
            var clock = Stopwatch.StartNew();
            var done = await reconciler.RunAsync(durable);
            times.Add(clock.Elapsed.TotalMilliseconds);
            requests.Add(Counted(before, proxy.Snapshot()));
            rows.Add(done.Steps!.Sum(s => s.Examined));
            foreach (var step in done.Steps!)
            {
                if (!steps.TryGetValue(step.Step, out var stepTimes))
                {
                    steps[step.Step] = stepTimes = [];
                }
                stepTimes.Add(step.Seconds * 1000);
            }
        }

        var countBefore = proxy.Snapshot();
        var countClock = Stopwatch.StartNew();
        await work.CountAsync();
        var countMs = countClock.Elapsed.TotalMilliseconds;
        var countRequests = Counted(countBefore, proxy.Snapshot());

        await cache.GetAsync(); // one read, if the last was more than its age ago
        var cachedBefore = proxy.Snapshot();
        for (var refresh = 0; refresh < CachedRefreshes; refresh++)
        {
            await cache.GetAsync();
        }
        var cachedRequests = Counted(cachedBefore, proxy.Snapshot()) / (double)CachedRefreshes;

        var oldClock = Stopwatch.StartNew();
        await ListAsTheSweepUsedToAsync(durable);
        var oldMs = oldClock.Elapsed.TotalMilliseconds;

        return new SizeResult(Median(times), requests.Average(), rows.Average(), countMs, countRequests, cachedRequests, oldMs,
            steps.ToDictionary(p => p.Key, p => Median(p.Value)));
    }

    /// <summary>The crashed-saga sweep's listing before the open-orchestration index: Failed/Terminated <c>order-</c> instances, a scan of the Instances table.</summary>
    private static async Task ListAsTheSweepUsedToAsync(DurableTaskClient durable)
    {
        var old = new OrchestrationQuery
        {
            InstanceIdPrefix = OrderSaga.InstanceId(""),
            Statuses = [OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated],
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        await foreach (var _ in durable.GetAllInstancesAsync(old))
        {
        }
    }

    private static void Report(BenchReport report, int size, SizeResult r)
    {
        var @case = $"{size:N0} finished orders";
        report.Add(Suite, @case, "recovery tick (median)", r.TickMs, "ms");
        foreach (var (step, ms) in r.StepMs)
        {
            report.Add(Suite, @case, $"  step {step} (median)", ms, "ms");
        }
        report.Add(Suite, @case, "recovery tick storage requests", r.TickRequests, "requests");
        report.Add(Suite, @case, "recovery tick rows examined", r.TickIndexRows, "rows");
        report.Add(Suite, @case, "console counts read (uncached)", r.CountMs, "ms");
        report.Add(Suite, @case, "console counts read storage requests", r.CountRequests, "requests");
        report.Add(Suite, @case, "console refresh (cached) storage requests", r.CachedRefreshRequests, "requests");
        report.Add(Suite, @case, "old crashed-saga listing (for comparison)", r.OldListingMs, "ms");
    }

    /// <summary>The requests between two snapshots, less the Durable worker's own background; its instance reads are the sweeps' and stay in.</summary>
    private static double Counted(IReadOnlyDictionary<StorageRequestKey, long> before, IReadOnlyDictionary<StorageRequestKey, long> after) =>
        after.Where(p => !p.Key.Step.StartsWith("durable:", StringComparison.Ordinal) || p.Key.Step == "durable: instances table")
            .Sum(p => p.Value - before.GetValueOrDefault(p.Key));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Finished orders <paramref name="from"/> + 1 to <paramref name="to"/> as the pipeline leaves them: the order row and its
    /// saga's instance row (every tenth terminated, its order cancelled by a sweep long ago); every tenth a completed refund,
    /// every fortieth a failed one (parked for an operator long ago).
    /// </summary>
    private static async Task SeedAsync(string connectionString, string prefix, string hub, int from, int to)
    {
        var tables = new TableServiceClient(connectionString);
        var orders = tables.GetTableClient(prefix + TableNames.Orders);
        var instances = tables.GetTableClient(hub + "Instances");
        var longAgo = DateTimeOffset.UtcNow.AddDays(-200);
        await Parallel.ForEachAsync(Enumerable.Range(from + 1, to - from), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            var orderId = $"hist{n}";
            var crashed = n % 10 == 0;
            await orders.AddEntityAsync(new TableEntity(orderId, "order")
            {
                ["CustomerId"] = "cust-" + orderId, ["Provider"] = "standard", ["PaymentId"] = "pay-" + orderId, ["AmountMinor"] = 2500L,
                ["Currency"] = "EUR", ["Status"] = crashed ? "Cancelled" : "Completed", ["Step"] = crashed ? "Cancelled" : "Completed",
                ["RegisteredAt"] = longAgo, ["UpdatedAt"] = longAgo, ["Lines"] = """[{"Sku":"sku-old","Quantity":1}]""",
            }, ct);
            await instances.AddEntityAsync(Instance(OrderSaga.InstanceId(orderId), OrderSaga.Name, crashed ? "Terminated" : "Completed", longAgo), ct);
            if (n % 10 == 5 || n % 40 == 7)
            {
                await instances.AddEntityAsync(Instance(LatePaymentRefund.InstanceId("pay-" + orderId), LatePaymentRefund.Name, n % 10 == 5 ? "Completed" : "Failed", longAgo), ct);
            }
        });
    }

    private static TableEntity Instance(string instanceId, string name, string status, DateTimeOffset at) => new(instanceId, "")
    {
        ["Name"] = name, ["Version"] = "", ["ExecutionId"] = Guid.NewGuid().ToString("N"), ["RuntimeStatus"] = status,
        ["CreatedTime"] = at.UtcDateTime, ["LastUpdatedTime"] = at.UtcDateTime, ["CompletedTime"] = at.UtcDateTime, ["Input"] = "null", ["Output"] = "null",
    };

    private static async Task WaitForAwaitingAsync(TableClient instances, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var waiting = 0;
            await foreach (var row in instances.QueryAsync<TableEntity>(select: ["CustomStatus"]))
            {
                waiting += row.GetString("CustomStatus")?.Contains("AwaitingPayment", StringComparison.Ordinal) == true ? 1 : 0;
            }
            if (waiting >= count)
            {
                return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("The open orders never reached AwaitingPayment.");
    }
}
