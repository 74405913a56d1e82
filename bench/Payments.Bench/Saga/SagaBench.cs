using System.Diagnostics;
using Microsoft.DurableTask.Client;
using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Contracts;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Saga;

namespace Payments.Benchmarks.Saga;

/// <summary>
/// Saga throughput: a burst of N orders, all registered and waiting for payment, then all paid at
/// once; orders/s from the first payment sent to the last saga Completed. Run on the Azure Storage
/// provider on Azurite (the local host) and on the in-memory backend (the engine's ceiling) with
/// the same orchestrator, activities and ledgers, then across partition and concurrency settings.
/// </summary>
/// <remarks>
/// Every order has its own sku and customer, so the stock and points ledgers never contend: the
/// numbers are the engine's and storage's, not ETag retries on a hot sku. Payments are delivered
/// through <see cref="PaymentDispatch"/> (what intake calls after storing) on every backend, so the
/// ratio compares backends only; one extra run posts real signed callbacks to the local host's
/// intake, end to end.
/// </remarks>
public static class SagaBench
{
    private const string Suite = "saga";
    private const int ClientConcurrency = 16;

    /// <summary>Orchestration episodes a paid order of the current saga version (3.0) takes from its payment on.</summary>
    private const int EpisodesPerPaidOrder = 2;

    private enum Backend { AzureStorage, InMemory, TestHost }

    private sealed record Config(string Name, Backend Backend, int Partitions, int Concurrency, bool ViaHttp = false, double OrderShare = 1);

    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        var cpu = new CpuMeter(env.Azurite.ProcessId);
        var baseline = new Config("Azure Storage, 4 partitions, 20 concurrent", Backend.AzureStorage, 4, 20);
        var ceiling = new Config("in-memory, same sidecar, 20 concurrent (ceiling)", Backend.InMemory, 0, 20);
        // Each Azure Storage run sits next to its in-memory twin, so a ratio sees one machine state.
        var configs = new List<Config> { ceiling, baseline };
        if (options.SagaSweep)
        {
            // Issue 13's targets (>= 25 orders/s at the Azurite wall, >= 0.5x in-memory at the same concurrency) are read here:
            // above the 2C/2 = 20 orders/s dispatcher bound of 20 concurrent, where Azure Storage's rate levels off at Azurite's one thread.
            configs.Add(new Config("in-memory, same sidecar, 30 concurrent (ceiling)", Backend.InMemory, 0, 30));
            configs.Add(new Config("Azure Storage, 4 partitions, 30 concurrent", Backend.AzureStorage, 4, 30));
            configs.Add(new Config("in-memory, same sidecar, 40 concurrent (ceiling)", Backend.InMemory, 0, 40));
            configs.Add(new Config("Azure Storage, 4 partitions, 40 concurrent", Backend.AzureStorage, 4, 40));
            configs.Add(new Config("in-memory, same sidecar, 100 concurrent (ceiling)", Backend.InMemory, 0, 100));
            configs.Add(new Config("Azure Storage, 4 partitions, 100 concurrent", Backend.AzureStorage, 4, 100));
            configs.Add(new Config("Azure Storage, 1 partition, 20 concurrent", Backend.AzureStorage, 1, 20));
            configs.Add(new Config("Azure Storage, 2 partitions, 20 concurrent", Backend.AzureStorage, 2, 20));
            // Half the orders: at this concurrency a full burst takes long, and half still dwarfs the concurrency.
            configs.Add(new Config("Azure Storage, 4 partitions, 5 concurrent", Backend.AzureStorage, 4, 5, OrderShare: 0.5));
        }
        configs.Add(baseline with { Name = "Azure Storage, 4 partitions, 20 concurrent, via HTTP callbacks", ViaHttp = true });
        // As shipped, the test host admits as many work items as there are cores: a few orders show its rate.
        configs.Add(new Config("in-memory, DurableTaskTestHost as shipped", Backend.TestHost, 0, Environment.ProcessorCount, OrderShare: 0.16));

        foreach (var config in configs)
        {
            await using var backend = await StartAsync(env, config);
            var orders = Math.Max(Math.Min(options.SagaOrders, 5), (int)(options.SagaOrders * config.OrderShare));
            await RunConfigAsync(backend, orders, cpu, report, log, config.ViaHttp);
            // The sidecar's dispatchers admit `concurrency` work items, then re-check every 500 ms while
            // full: at most 2 x concurrency work items/s each. From its payment on, a paid order of
            // saga 3.0 needs 2 orchestration episodes (the event; SettlePaidOrder's result) and 1
            // activity (2.0 needed 6 and 5), so the orchestration dispatcher binds first.
            report.Add(Suite, config.Name, $"dispatcher bound 2C/{EpisodesPerPaidOrder}", 2.0 * config.Concurrency / EpisodesPerPaidOrder, "orders/s");
        }

        foreach (var (azure, memory) in new[]
        {
            (baseline.Name, ceiling.Name),
            ("Azure Storage, 4 partitions, 30 concurrent", "in-memory, same sidecar, 30 concurrent (ceiling)"),
            ("Azure Storage, 4 partitions, 40 concurrent", "in-memory, same sidecar, 40 concurrent (ceiling)"),
            ("Azure Storage, 4 partitions, 100 concurrent", "in-memory, same sidecar, 100 concurrent (ceiling)"),
        })
        {
            if (report.Find(Suite, azure, "throughput") is { } a && report.Find(Suite, memory, "throughput") is { } m)
            {
                report.Add(Suite, $"{azure} ÷ in-memory", "throughput ratio", a / m, "×");
            }
        }
        if (report.Find(Suite, baseline.Name, "throughput") is { } at20 && report.Find(Suite, ceiling.Name, "throughput") is { } mem20)
        {
            var bound = 2.0 * baseline.Concurrency / EpisodesPerPaidOrder;
            report.Finding(Suite,
                $"At {baseline.Concurrency} concurrent work items Azure Storage reaches {at20:0.0} orders/s and the in-memory backend {mem20:0.0} (x{at20 / mem20:0.00}); " +
                $"the sidecar dispatcher bound 2C/{EpisodesPerPaidOrder} is {bound:0.0} (measured / bound: {at20 / bound:0.00} and {mem20 / bound:0.00}). Near that bound the limit is the gRPC " +
                "sidecar's work-item admission (when all slots are busy it re-checks every 500 ms), not storage; with more concurrency the limit moves to Azurite " +
                "(Azurite serves requests on one Node.js thread: see its CPU rows, and 'other processes' for machine noise).");
        }
        foreach (var other in configs.Where(c => c.Backend == Backend.AzureStorage && c != baseline))
        {
            if (report.Find(Suite, other.Name, "throughput") is { } o && report.Find(Suite, baseline.Name, "throughput") is { } b)
            {
                report.Add(Suite, $"{other.Name} ÷ baseline", "throughput ratio", o / b, "×");
            }
        }
    }

    private static async Task<SagaBackend> StartAsync(BenchEnvironment env, Config config)
    {
        var prefix = env.NewPrefix("saga");
        if (config.Backend == Backend.AzureStorage)
        {
            return SagaBackend.On(await env.StartHostAsync(prefix, s =>
            {
                s["LocalHost:PartitionCount"] = config.Partitions.ToString();
                s["LocalHost:MaxConcurrentActivities"] = config.Concurrency.ToString();
                s["LocalHost:MaxConcurrentOrchestrations"] = config.Concurrency.ToString();
            }), config.Name);
        }
        var settings = LocalSettings.Build([], Path.Combine(env.RepoRoot, "local.settings.json"), env.HostSettings(prefix, 0));
        return config.Backend == Backend.InMemory
            ? await InMemorySagaHost.StartSidecarAsync(settings, config.Name, config.Concurrency)
            : await InMemorySagaHost.StartTestHostAsync(settings, config.Name);
    }

    private static async Task RunConfigAsync(SagaBackend backend, int count, CpuMeter cpu, BenchReport report, TextWriter log, bool viaHttp)
    {
        var name = backend.Name;
        log.WriteLine($"  saga: {name}: registering {count} orders");
        var orders = Enumerable.Range(1, count)
            .Select(i => new OrderRequest($"o{i}", $"cust-{i}", [new OrderLine($"sku-{i}", 1)], 2500, "EUR", "standard", $"pay-o{i}"))
            .ToArray();
        var stock = backend.Services.GetRequiredService<StockLedger>();
        var registration = backend.Services.GetRequiredService<OrderRegistration>();
        await Parallel.ForEachAsync(orders, Clients, async (order, ct) =>
        {
            await stock.SetLevelAsync(order.Lines[0].Sku, 1, ct);
            if (await registration.RegisterAsync(order, backend.Durable, ct) is not RegistrationResult.Started)
            {
                throw new InvalidOperationException($"Order {order.OrderId} did not start.");
            }
        });
        await WaitForStepAsync(backend.Durable, orders, "AwaitingPayment", TimeSpan.FromMinutes(3));

        log.WriteLine($"  saga: {name}: paying {count} orders");
        var sentAt = new DateTimeOffset[count];
        var dispatch = backend.Services.GetRequiredService<PaymentDispatch>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var wall = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow;
        var (observedMakespan, used) = await cpu.MeasureAsync(async () =>
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), Clients, async (i, ct) =>
            {
                var order = orders[i];
                sentAt[i] = DateTimeOffset.UtcNow;
                if (viaHttp)
                {
                    var body = SignedCallbacks.Body("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor);
                    using var response = await http.SendAsync(SignedCallbacks.Post(backend.CallbackUrl!, $"msg_saga_{order.OrderId}", body), ct);
                    response.EnsureSuccessStatusCode();
                }
                else
                {
                    var paid = new PaymentEvent("standard", $"evt-{order.OrderId}", PaymentEventKind.Succeeded, order.PaymentId, order.OrderId,
                        order.AmountMinor, order.Currency, DateTimeOffset.UtcNow);
                    if (await dispatch.ApplyAsync(backend.Durable, paid, ct) != DispatchResult.Raised)
                    {
                        throw new InvalidOperationException($"Payment for {order.OrderId} was not raised.");
                    }
                }
            });
            await WaitForCompletedAsync(backend, count, TimeSpan.FromMinutes(5));
            return wall.Elapsed;
        });

        // Completion times from the engine's own record (not our polling): the instance's last update.
        // The read model says Completed one orchestration episode before the instance does, hence the wait.
        var completedAt = new DateTimeOffset[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), Clients, async (i, ct) =>
        {
            var id = OrderSaga.InstanceId(orders[i].OrderId);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            var instance = await backend.Durable.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
            while (instance is { IsCompleted: false })
            {
                await Task.Delay(100, timeout.Token);
                instance = await backend.Durable.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
            }
            if (instance?.RuntimeStatus != OrchestrationRuntimeStatus.Completed || instance.ReadOutputAs<SagaOutcome>()?.Status != OrderStatus.Completed)
            {
                throw new InvalidOperationException($"Saga of {orders[i].OrderId} ended {instance?.RuntimeStatus} / {instance?.SerializedOutput}.");
            }
            completedAt[i] = instance.LastUpdatedAt;
        });
        var makespan = completedAt.Max() - start;
        var latency = new Latencies();
        latency.AddRange(Enumerable.Range(0, count).Select(i => (completedAt[i] - sentAt[i]).TotalMilliseconds));

        report.Add(Suite, name, "throughput", count / makespan.TotalSeconds, "orders/s");
        report.Add(Suite, name, "p50", latency.Percentile(50), "ms");
        report.Add(Suite, name, "p99", latency.Percentile(99), "ms");
        report.Add(Suite, name, "makespan (engine clock)", makespan.TotalSeconds, "s");
        report.Add(Suite, name, "makespan (observed by polling)", observedMakespan.TotalSeconds, "s");
        report.Add(Suite, name, "Azurite CPU", used.AzuriteCores, "cores");
        report.Add(Suite, name, "bench process CPU", used.BenchCores, "cores");
        report.Add(Suite, name, "other processes CPU", used.MachineBusyCores - used.AzuriteCores - used.BenchCores, "cores");
    }

    private static ParallelOptions Clients => new() { MaxDegreeOfParallelism = ClientConcurrency };

    /// <summary>Setup only (not timed): waits until every saga shows the step in its custom status.</summary>
    private static async Task WaitForStepAsync(DurableTaskClient durable, IReadOnlyList<OrderRequest> orders, string step, TimeSpan timeout)
    {
        var pending = orders.Select(o => OrderSaga.InstanceId(o.OrderId)).ToHashSet();
        var deadline = DateTime.UtcNow + timeout;
        while (pending.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pending.Count} sagas never reached {step}.");
            }
            var reached = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Parallel.ForEachAsync(pending, Clients, async (id, ct) =>
            {
                var instance = await durable.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
                if (instance?.SerializedCustomStatus?.Contains(step, StringComparison.Ordinal) == true)
                {
                    reached.Add(id);
                }
            });
            pending.ExceptWith(reached);
            if (pending.Count > 0)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Polls the orders read model (one query, not one read per saga) until every order is Completed.</summary>
    private static async Task WaitForCompletedAsync(SagaBackend backend, int count, TimeSpan timeout)
    {
        var orders = backend.Services.GetRequiredService<OrderBook>();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var completed = 0;
            await foreach (var _ in orders.ListAsync(OrderStatus.Completed))
            {
                completed++;
            }
            if (completed >= count)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {completed} of {count} orders completed.");
            }
            await Task.Delay(100);
        }
    }
}
