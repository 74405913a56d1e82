using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Contracts;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Saga;

namespace Payments.Benchmarks.Intake;

/// <summary>
/// Intake against its limit: signed callbacks to <c>/api/callbacks/standard</c> of the local host
/// versus the bare insert endpoint, at saturation and at a fixed offered load, in alternating
/// rounds so machine drift lands on both sides alike.
/// </summary>
/// <remarks>
/// The intake suite's callbacks are for orders that were never registered: intake verifies, parses, stores the
/// row, then dispatch looks the saga up once, finds none, puts the callback on the retry lane (a
/// Storage queue message) and marks the row queued. So each intake request is the inbox insert
/// plus a Durable status read, a queue send and a row update, all on the same Azurite; the bare
/// endpoint does the insert only. No saga runs, so the numbers are intake's alone.
/// </remarks>
public static class IntakeBench
{
    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        await using var host = await env.StartHostAsync(env.NewPrefix("intake"));
        await MeasureAsync("intake", env, host, options, report, log, n => SignedCallbacks.Body("payment.succeeded", $"pay-i{n}", $"unregistered-{n}", 2500));
    }

    /// <summary>
    /// The path a gateway waits on in the normal case: callbacks for registered orders whose sagas
    /// run and wait for payment. Each is a decline (<c>payment.failed</c>) of one of the orders, under
    /// its own event id: intake stores it and hands it to the running saga, which records it and keeps
    /// waiting (a decline is not final), so every callback takes the known-order path and the sagas stay
    /// running for the whole run. Same bare insert, rounds and loads as the intake suite.
    /// </summary>
    /// <remarks>
    /// Each decline also costs its saga an orchestration episode (history read and append, control-queue
    /// dequeue and delete), which is the saga's work, not the gateway's wait. In Azure the task hub can
    /// live in its own storage account (docs/scale.md), so by default the host's Durable state is put
    /// on a second Azurite (<c>separate</c>): the inbox, the orders and the bare insert share one Azurite
    /// thread and the episodes do not. <c>shared</c> keeps the old single-Azurite measurement as its
    /// own rows (suite <c>intake-registered, one Azurite</c>).
    /// </remarks>
    public static async Task RunRegisteredAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        foreach (var storage in options.IntakeDurableStorages)
        {
            // A fresh Azurite for each variant: one variant's tens of thousands of inbox rows must not slow the next.
            await using var own = await BenchEnvironment.StartAsync(env.RepoRoot);
            await using var durableAzurite = storage == "separate" ? await AzuriteProcess.StartAsync(env.RepoRoot) : null;
            await RunRegisteredAsync(durableAzurite is null ? "intake-registered, one Azurite" : "intake-registered", durableAzurite, own, options, report, log);
        }
    }

    private static async Task RunRegisteredAsync(string suite, AzuriteProcess? durableAzurite, BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        await using var host = await env.StartHostAsync(env.NewPrefix("known"), settings =>
        {
            if (durableAzurite is not null)
            {
                settings["AzureWebJobsStorage"] = durableAzurite.ConnectionString;
            }
        });
        var tag = env.NewPrefix("k");
        var orders = Enumerable.Range(1, options.IntakeRegisteredOrders)
            .Select(i => new OrderRequest($"{tag}o{i}", $"cust-{tag}-{i}", [new OrderLine($"sku-{tag}-{i}", 1)], 2500, "EUR", "standard", $"pay-{tag}-{i}"))
            .ToArray();
        log.WriteLine($"  {suite}: registering {orders.Length} orders and waiting for their sagas to wait for payment");
        var stock = host.Services.GetRequiredService<StockLedger>();
        var registration = host.Services.GetRequiredService<OrderRegistration>();
        await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (order, ct) =>
        {
            await stock.SetLevelAsync(order.Lines[0].Sku, 1, ct);
            if (await registration.RegisterAsync(order, host.Durable, ct) is not RegistrationResult.Started)
            {
                throw new InvalidOperationException($"Order {order.OrderId} did not start.");
            }
        });
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        foreach (var order in orders)
        {
            while ((await host.Durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId), getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains("AwaitingPayment", StringComparison.Ordinal) != true)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The saga of {order.OrderId} never waited for payment.");
                }
                await Task.Delay(100);
            }
        }
        await MeasureAsync(suite, env, host, options, report, log, n =>
        {
            var order = orders[n % orders.Length];
            return SignedCallbacks.Body("payment.failed", order.PaymentId, order.OrderId, order.AmountMinor);
        }, durableAzurite);
    }

    private static async Task MeasureAsync(string suite, BenchEnvironment env, LocalFunctionsHost host, BenchOptions options, BenchReport report, TextWriter log, Func<long, string> bodyOf,
        AzuriteProcess? durableAzurite = null)
    {
        await using var bare = await BareInsertEndpoint.StartAsync(env.Azurite.ConnectionString, env.NewPrefix("bare"), FreePort.Next());
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024 }) { Timeout = TimeSpan.FromSeconds(30) };
        var load = new LoadGenerator(http);
        var cpu = new CpuMeter(env.Azurite.ProcessId, durableAzurite?.ProcessId);

        var intakeUrl = new Uri(host.BaseAddress, "api/callbacks/standard");
        var sequence = 0L;
        Func<HttpRequestMessage> Callbacks(Uri url) => () =>
        {
            var n = Interlocked.Increment(ref sequence);
            return SignedCallbacks.Post(url, $"msg_bench_{n}", bodyOf(n));
        };
        var targets = new (string Name, Func<HttpRequestMessage> Next)[] { (Limit, Callbacks(bare.Url)), ("intake", Callbacks(intakeUrl)) };

        var phase = TimeSpan.FromSeconds(options.IntakePhaseSeconds);
        log.WriteLine($"  {suite}: warm-up, then {options.IntakeRounds} round(s) x {phase.TotalSeconds:0.#} s per target and mode, {options.IntakeClients} closed-loop clients");
        foreach (var target in targets)
        {
            await load.SaturateAsync(target.Next, options.IntakeClients, TimeSpan.FromSeconds(Math.Max(1, options.IntakePhaseSeconds / 2)));
        }

        var saturation = await AlternateAsync(options.IntakeRounds, targets, t => cpu.MeasureAsync(() => load.SaturateAsync(t.Next, options.IntakeClients, phase)));
        var intakeMax = saturation["intake"].Load.PerSecond;
        var offered = Math.Max(5, Math.Round(intakeMax * options.IntakeOfferedFraction / 5) * 5);
        log.WriteLine($"  {suite}: fixed offered load {offered:0}/s ({options.IntakeOfferedFraction:P0} of intake saturation)");
        var fixedLoad = await AlternateAsync(options.IntakeRounds, targets, t => cpu.MeasureAsync(() => load.OfferAsync(t.Next, offered, phase)));

        foreach (var (mode, results) in new[] { ("saturation", saturation), ($"offered {offered:0}/s", fixedLoad) })
        {
            foreach (var (name, (result, used)) in results)
            {
                var @case = $"{name}, {mode}";
                report.Add(suite, @case, "throughput", result.PerSecond, "callbacks/s");
                report.Add(suite, @case, "p50", result.Latency.Percentile(50), "ms");
                report.Add(suite, @case, "p99", result.Latency.Percentile(99), "ms");
                report.Add(suite, @case, "Azurite CPU", used.AzuriteCores, "cores");
                if (durableAzurite is not null)
                {
                    report.Add(suite, @case, "Durable Azurite CPU", used.DurableAzuriteCores, "cores");
                }
                report.Add(suite, @case, "bench process CPU", used.BenchCores, "cores");
                report.Add(suite, @case, "other processes CPU", used.MachineBusyCores - used.AzuriteCores - used.DurableAzuriteCores - used.BenchCores, "cores");
                if (result.Failed > 0)
                {
                    report.Add(suite, @case, "failed", result.Failed, "requests");
                }
            }
        }
        var (bareMax, bareCpu) = (saturation[Limit].Load.PerSecond, saturation[Limit].Cpu);
        var intakeCpu = saturation["intake"].Cpu;
        var ratio = intakeMax / bareMax;
        report.Add(suite, "intake ÷ limit, saturation", "throughput ratio", ratio, "×");
        report.Add(suite, $"intake ÷ limit, offered {offered:0}/s", "p50 latency ratio",
            fixedLoad["intake"].Load.Latency.Percentile(50) / fixedLoad[Limit].Load.Latency.Percentile(50), "×");
        report.Add(suite, $"intake ÷ limit, offered {offered:0}/s", "p99 latency ratio",
            fixedLoad["intake"].Load.Latency.Percentile(99) / fixedLoad[Limit].Load.Latency.Percentile(99), "×");
        report.Finding(suite,
            $"Intake saturates at {intakeMax:0} callbacks/s = {ratio:P0} of the bare insert ({bareMax:0}/s). " +
            $"At saturation Azurite used {bareCpu.AzuriteCores:0.00} cores (bare) / {intakeCpu.AzuriteCores:0.00} (intake) and this process " +
            $"{bareCpu.BenchCores:0.00} / {intakeCpu.BenchCores:0.00} of {Environment.ProcessorCount}. " +
            $"Azurite CPU per request: bare {1000 * bareCpu.AzuriteCores / bareMax:0.00} ms, intake {1000 * intakeCpu.AzuriteCores / intakeMax:0.00} ms; " +
            $"bench-process CPU per request: bare {1000 * bareCpu.BenchCores / bareMax:0.00} ms, intake {1000 * intakeCpu.BenchCores / intakeMax:0.00} ms" +
            (durableAzurite is null ? "." : $"; the Durable task hub's own Azurite: {intakeCpu.DurableAzuriteCores:0.00} cores, {1000 * intakeCpu.DurableAzuriteCores / intakeMax:0.00} ms per intake request.") +
            $" Other processes: {bareCpu.MachineBusyCores - bareCpu.AzuriteCores - bareCpu.DurableAzuriteCores - bareCpu.BenchCores:0.00} / {intakeCpu.MachineBusyCores - intakeCpu.AzuriteCores - intakeCpu.DurableAzuriteCores - intakeCpu.BenchCores:0.00} cores.");
    }

    private const string Limit = "bare insert (limit)";

    /// <summary>Runs every target once per round, flipping the order each round; sums per target.</summary>
    private static async Task<Dictionary<string, (LoadResult Load, CpuUse Cpu)>> AlternateAsync<T>(
        int rounds, (string Name, T Next)[] targets, Func<(string Name, T Next), Task<(LoadResult, CpuUse)>> run)
    {
        var parts = targets.ToDictionary(t => t.Name, _ => new List<(LoadResult Load, CpuUse Cpu)>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var target in round % 2 == 0 ? targets : targets.Reverse())
            {
                parts[target.Name].Add(await run(target));
            }
        }
        return parts.ToDictionary(p => p.Key, p =>
        {
            var latency = new Latencies();
            foreach (var part in p.Value)
            {
                latency.AddRange(part.Load.Latency.Samples());
            }
            var elapsed = TimeSpan.FromTicks(p.Value.Sum(r => r.Load.Elapsed.Ticks));
            double Weighted(Func<CpuUse, double> of) => p.Value.Sum(r => of(r.Cpu) * r.Load.Elapsed.TotalSeconds) / elapsed.TotalSeconds;
            return (new LoadResult(p.Value.Sum(r => r.Load.Completed), p.Value.Sum(r => r.Load.Failed), elapsed, latency, p.Value[0].Load.OfferedPerSecond),
                new CpuUse(Weighted(c => c.AzuriteCores), Weighted(c => c.BenchCores), Weighted(c => c.MachineBusyCores), Weighted(c => c.StealCores), Weighted(c => c.DurableAzuriteCores)));
        });
    }
}
