using System.Diagnostics;
using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Hosting;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Benchmarks.Reconciliation;

/// <summary>
/// Statement reconciliation at scale, each part beside its limit:
/// <list type="number">
/// <item>Parse + classify, 100k vs 1M lines: the gateway port's streaming <see cref="IPaymentGateway.GetStatementAsync"/>
/// (the real <see cref="HttpPaymentGateway"/> with its Sep reader, composed with its resilience handler as the app
/// composes it), each line classified by the pipeline's own <see cref="StatementReconciler.Classify"/> against an
/// in-memory ledger lookup of fixed size; the limit is reading the same statement off the same socket, nothing parsed.</item>
/// <item>A day on Azurite: the whole <see cref="StatementRun"/> orchestration (stage, chunks, finish, on the local host's
/// Durable engine) over a statement of one capture per order of the day, against a bare range scan of the same
/// day's orders (the capture index the run reads) on the same Azurite.</item>
/// <item>The same run at 100k vs 1M statement lines: memory (peak working set, GC allocation) stays flat.</item>
/// </list>
/// The statements are generated on the fly by <see cref="SyntheticStatementServer"/> in the simulator's CSV format.
/// </summary>
public static class ReconciliationBench
{
    private const string Suite = "reconciliation";

    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        await using var server = await SyntheticStatementServer.StartAsync();
        using var raw = new HttpClient { BaseAddress = server.BaseAddress };
        await ClassifyAtScaleAsync(env, server, raw, options, report, log);
        await ReconcileOnAzuriteAsync(env, server, raw, options, report, log);
    }

    private static async Task ClassifyAtScaleAsync(BenchEnvironment env, SyntheticStatementServer server, HttpClient raw, BenchOptions options, BenchReport report, TextWriter log)
    {
        var configuration = LocalSettings.Build([], Path.Combine(env.RepoRoot, "local.settings.json"), new Dictionary<string, string?>
        {
            ["Gateway:BaseUrl"] = server.BaseAddress.ToString(),
            ["Connectors:Stripe:ApiBase"] = server.BaseAddress.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await using var services = new ServiceCollection().AddLogging().AddPaymentsCore(configuration).BuildServiceProvider();
        var gateway = services.GetRequiredService<IPaymentGateway>();

        var ledger = InMemoryLedger(options.LedgerOrders);
        // About 1 % of the statement's orders are not in the ledger.
        var orderSpace = options.LedgerOrders + Math.Max(1, options.LedgerOrders / 100);
        report.Add(Suite, "in-memory ledger", "orders", ledger.Count, "orders");

        // Warm-up (JIT, connection pools, GC budgets), not reported.
        var date = new DateOnly(2025, 1, 1);
        server.Register(date, new SyntheticStatementServer.StatementShape(Math.Min(20_000, options.StatementSizes[0]), orderSpace));
        await CountLinesAsync(raw, date);
        await ClassifyAsync(gateway.GetStatementAsync(date), ledger);

        foreach (var lines in options.StatementSizes)
        {
            date = date.AddDays(1);
            server.Register(date, new SyntheticStatementServer.StatementShape(lines, orderSpace));
            var label = $"{lines:N0} lines";
            log.WriteLine($"  reconciliation: parse + classify, {label}");

            var (rawLines, rawTime, rawMemory) = await TimedAsync(() => CountLinesAsync(raw, date));
            var (counts, time, memory) = await TimedAsync(() => ClassifyAsync(gateway.GetStatementAsync(date), ledger));
            if (rawLines != lines || counts.Values.Sum() != lines)
            {
                throw new InvalidOperationException($"Expected {lines} lines; raw read {rawLines}, classified {counts.Values.Sum()}.");
            }
            AddPhase(report, $"raw HTTP stream (limit), {label}", rawLines, rawTime, rawMemory);
            AddPhase(report, $"HttpPaymentGateway + StatementReconciler.Classify, {label}", lines, time, memory);
            report.Add(Suite, $"parse+classify ÷ raw stream, {label}", "throughput ratio", rawTime / time, "×");
            report.Add(Suite, $"classified, {label}", "discrepancies", counts.Where(c => c.Key != "none").Sum(c => c.Value),
                string.Join(" ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));
        }
        if (options.StatementSizes.Count >= 2)
        {
            var (small, large) = (options.StatementSizes[0], options.StatementSizes[^1]);
            var growth = report.Find(Suite, $"HttpPaymentGateway + StatementReconciler.Classify, {large:N0} lines", "peak heap growth")
                / report.Find(Suite, $"HttpPaymentGateway + StatementReconciler.Classify, {small:N0} lines", "peak heap growth");
            report.Add(Suite, $"peak heap growth, {large:N0} ÷ {small:N0} lines", "ratio (≤ 1 = flat)", growth ?? double.NaN, "×");
        }
    }

    private static async Task ReconcileOnAzuriteAsync(BenchEnvironment env, SyntheticStatementServer server, HttpClient raw, BenchOptions options, BenchReport report, TextWriter log)
    {
        var orders = options.ReconcilerOrders;
        var date = new DateOnly(2025, 6, 1);
        log.WriteLine($"  reconciliation: {orders:N0} orders captured over {date}, seeded through the OrderBook");
        await using var host = await env.StartHostAsync(env.NewPrefix("stmt"), s =>
        {
            s["Gateway:BaseUrl"] = server.BaseAddress.ToString();
            s["Connectors:Stripe:ApiBase"] = server.BaseAddress.ToString();
            s["Reconciler:StatementChunkLines"] = options.ChunkLines.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The Azure Storage provider's idle queue polling, as host.json tunes it (maxQueuePollingInterval); each activity hop waits for it.
            s["LocalHost:MaxQueuePollingMs"] = "100";
        });
        var storage = host.Services.GetRequiredService<PaymentsStorage>();
        await Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, ct) =>
        {
            // Each order's capture recorded at its own time of the day, as the saga would have recorded it.
            var book = new OrderBook(storage, new FixedTime(SyntheticStatementServer.CaptureTime(date, k, orders)));
            var id = $"o{k}";
            await book.TryRegisterAsync(new OrderRequest(id, $"cust-{k}", [new OrderLine($"sku-{k}", 1)], 2500, "EUR", "standard", $"pay-{k}"), Guid.NewGuid(), ct);
            await book.ApplyAsync(new OrderStateChange(id, OrderStatus.Completed, null, "Completed", 2500, "EUR"), ct);
        });
        var reader = host.Services.GetRequiredService<OrderBook>();
        var reports = host.Services.GetRequiredService<ReconciliationStore>();
        var cpu = new CpuMeter(env.Azurite.ProcessId);

        // The day: one line per order (and one malformed line) against the bare range scan of the same orders.
        server.Register(date, new SyntheticStatementServer.StatementShape(orders, orders, DayOrdered: true, MalformedAt: orders / 2));
        var dayStart = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        await CountCapturesAsync(reader, dayStart); // warm-up
        var (scanned, scanTime, _) = await TimedAsync(() => CountCapturesAsync(reader, dayStart));
        // Warmed up as the scan is: the day's run once (code paths jitted, connections open), then the measured run of the same
        // day, after the provider's queue polling has backed off to its idle interval again, as it is when an operator starts a run.
        await RunStatementAsync(host, reports, date);
        await WaitForRunAsync(host, date);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var runStartedAt = DateTimeOffset.UtcNow;
        var ((day, runTime, runMemory), used) = await cpu.MeasureAsync(() => TimedAsync(() => RunStatementAsync(host, reports, date)));
        await WaitForRunAsync(host, date);
        await ReportStepsAsync(host, date, runStartedAt, runTime, $"statement run, a day of {orders:N0} orders", report, log);
        // The malformed line stands where one order's capture would be: the run's look the other way finds that capture ledger-only.
        if (scanned != orders || day.Lines != orders || day.Malformed?.Count != 1
            || day.Discrepancies.Count != 1 || day.Discrepancies[0].Class != Payments.Contracts.DiscrepancyClass.LedgerOnly)
        {
            throw new InvalidOperationException(
                $"Expected {orders} orders, lines, one malformed line and one ledger-only discrepancy (the capture it hid); scanned {scanned}, "
                + $"run read {day.Lines} with {day.Malformed?.Count} malformed, {day.Discrepancies.Count} discrepancies ({string.Join(", ", day.Discrepancies.Select(d => d.Class))}).");
        }
        AddPhase(report, $"bare range scan of the day's {orders:N0} captured orders (limit)", scanned, scanTime, new MemoryUse(0, 0, 0, 0, 0, 0));
        var name = $"statement run, a day of {orders:N0} orders";
        AddPhase(report, name, orders, runTime, runMemory);
        report.Add(Suite, name, "chunks", day.Chunks, "");
        report.Add(Suite, name, "malformed lines isolated", day.Malformed!.Count, "");
        report.Add(Suite, name, "Azurite CPU", used.AzuriteCores, "cores");
        report.Add(Suite, name, "bench process CPU", used.BenchCores, "cores");
        // The machine is shared: what the other processes took while the run ran is the noise to read the ratio against.
        report.Add(Suite, name, "other processes CPU", used.MachineBusyCores - used.AzuriteCores - used.BenchCores, "cores");
        var ratio = scanTime / runTime;
        report.Add(Suite, $"statement run ÷ bare range scan, {orders:N0} orders", "throughput ratio", ratio, "×");

        // Long statements over the same day's orders: every line settled by the range reads, memory flat.
        var runs = new List<(int Lines, double Seconds, MemoryUse Memory)>();
        foreach (var lines in options.RunSizes)
        {
            // The same day's orders, a longer statement: each order's capture listed lines ÷ orders times.
            server.Register(date, new SyntheticStatementServer.StatementShape(lines, orders, DayOrdered: true));
            log.WriteLine($"  reconciliation: statement run, {lines:N0} lines");
            var (result, time, memory) = await TimedAsync(() => RunStatementAsync(host, reports, date));
            await WaitForRunAsync(host, date);
            // The day keeps the one ledger-only capture the malformed line hid above; this run finds nothing new.
            if (result.Lines != lines || result.NewDiscrepancies != 0 || result.Discrepancies.Count != 1)
            {
                throw new InvalidOperationException($"Expected {lines} lines and nothing new; the run read {result.Lines}, found {result.NewDiscrepancies} new of {result.Discrepancies.Count}.");
            }
            var label = $"statement run, {lines:N0} lines";
            AddPhase(report, label, lines, time, memory);
            report.Add(Suite, label, "chunks", result.Chunks, "");
            runs.Add((lines, time, memory));
        }
        if (runs.Count >= 2)
        {
            var (small, large) = (runs[0], runs[^1]);
            report.Add(Suite, $"statement run peak working set, {large.Lines:N0} ÷ {small.Lines:N0} lines", "ratio (≈ 1 = flat)",
                (double)large.Memory.PhasePeakWorkingSetBytes / small.Memory.PhasePeakWorkingSetBytes, "×");
            report.Add(Suite, $"statement run allocated per line, {large.Lines:N0} ÷ {small.Lines:N0} lines", "ratio (≈ 1 = linear, flat per line)",
                ((double)large.Memory.AllocatedBytes / large.Lines) / ((double)small.Memory.AllocatedBytes / small.Lines), "×");
        }
        report.Finding(Suite,
            $"The statement run reconciles a day of {orders:N0} orders at {ratio:0.00}× the throughput of a bare range scan of the same orders on the same Azurite " +
            $"({orders / runTime:0} vs {scanned / scanTime:0} lines/s, {day.Chunks} chunks, up to {host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReconcilerOptions>>().Value.StatementInlineChunks} of them reconciled by the staging step itself): each chunk reads its orders with key-range queries " +
            "of the capture index, never a point read per line." +
            (runs.Count >= 2 ? $" {runs[^1].Lines:N0} lines took {runs[^1].Seconds:0} s with a phase peak working set of {runs[^1].Memory.PhasePeakWorkingSetBytes / 1048576.0:0} MB " +
                $"(vs {runs[0].Memory.PhasePeakWorkingSetBytes / 1048576.0:0} MB at {runs[0].Lines:N0} lines)." : ""));
    }

    /// <summary>The operator's path: start the day's run, poll its stored summary until it reads finished, read the report.</summary>
    private static async Task<StatementReport> RunStatementAsync(LocalFunctionsHost host, ReconciliationStore reports, DateOnly date)
    {
        var start = await host.Services.GetRequiredService<StatementReconciler>().StartAsync(host.Durable, date);
        var deadline = DateTime.UtcNow + TimeSpan.FromHours(1);
        for (var poll = 1; DateTime.UtcNow < deadline; poll++)
        {
            if (await reports.IsFinishedAsync(date, CancellationToken.None))
            {
                return await reports.GetReportAsync(date, CancellationToken.None) ?? throw new InvalidOperationException("No report stored.");
            }
            if (poll % 200 == 0 && await host.Durable.GetInstanceAsync(start.InstanceId) is { IsCompleted: true, RuntimeStatus: not Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed } ended)
            {
                throw new InvalidOperationException($"Statement run {start.InstanceId} ended {ended.RuntimeStatus}: {ended.FailureDetails?.ErrorMessage}");
            }
            // One point read of the summary row: a fine poll costs Azurite little and keeps the poll's own wait out of the figure.
            await Task.Delay(20);
        }
        throw new TimeoutException($"Statement run {start.InstanceId} did not finish.");
    }

    /// <summary>
    /// Where the run's time went, from its Durable history: when the orchestration started after the
    /// operator's start, each activity from scheduled to completed, and the wait from the finish
    /// step's completion to the bench seeing the report finished. Offsets from the start, in seconds.
    /// </summary>
    private static async Task ReportStepsAsync(LocalFunctionsHost host, DateOnly date, DateTimeOffset startedAt, double runSeconds, string @case, BenchReport report, TextWriter log)
    {
        var history = await host.Services.GetRequiredService<Payments.Operations.IOrchestrationHistory>()
            .ReadAsync(StatementRun.InstanceId(date), host.Durable, CancellationToken.None);
        if (history.Count == 0)
        {
            log.WriteLine("    (no Durable history served: no step breakdown)");
            return;
        }
        double At(DateTimeOffset at) => (at - startedAt).TotalSeconds;
        var scheduled = new Dictionary<int, SagaHistoryStep>();
        var steps = new List<string>();
        foreach (var e in history)
        {
            switch (e.EventType)
            {
                case "ExecutionStarted":
                    steps.Add($"orchestration started at {At(e.At):0.000} s");
                    report.Add(Suite, @case, "step: start → orchestration started", At(e.At), "s");
                    break;
                case "TaskScheduled":
                    scheduled[e.EventId] = new SagaHistoryStep(e.Name ?? "activity", e.At);
                    break;
                case "TaskCompleted" when e.ScheduledId is { } id && scheduled.TryGetValue(id, out var step):
                    steps.Add($"{step.Name}: scheduled {At(step.At):0.000} s, completed {At(e.At):0.000} s ({(e.At - step.At).TotalSeconds:0.000} s)");
                    report.Add(Suite, @case, $"step: {step.Name} #{id} scheduled → completed", (e.At - step.At).TotalSeconds, "s");
                    break;
                case "ExecutionCompleted":
                    steps.Add($"orchestration completed at {At(e.At):0.000} s; the bench saw the report finished at {runSeconds:0.000} s");
                    break;
            }
        }
        log.WriteLine($"    where the time went ({@case}):");
        foreach (var step in steps)
        {
            log.WriteLine($"      {step}");
        }
    }

    private sealed record SagaHistoryStep(string Name, DateTimeOffset At);

    /// <summary>The report reads finished a moment before its orchestration completes; the next run of the day must not find it still running.</summary>
    private static async Task WaitForRunAsync(LocalFunctionsHost host, DateOnly date)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var run = await host.Durable.WaitForInstanceCompletionAsync(StatementRun.InstanceId(date), getInputsAndOutputs: false, timeout.Token);
        if (run.RuntimeStatus != Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed)
        {
            throw new InvalidOperationException($"Statement run of {date} ended {run.RuntimeStatus}: {run.FailureDetails?.ErrorMessage}");
        }
    }

    /// <summary>The limit: every captured order of the day, read by the same key-range queries the run uses, nothing else done.</summary>
    private static async Task<long> CountCapturesAsync(OrderBook book, DateTimeOffset dayStart)
    {
        long count = 0;
        await foreach (var _ in book.ListCapturedAsync(dayStart, dayStart.AddDays(1)))
        {
            count++;
        }
        return count;
    }

    /// <summary>Every 50th order cancelled, the rest completed and paid 25.00 EUR.</summary>
    private static Dictionary<string, LedgerPayment> InMemoryLedger(int orders)
    {
        var ledger = new Dictionary<string, LedgerPayment>(orders, StringComparer.Ordinal);
        for (var k = 0; k < orders; k++)
        {
            var cancelled = k % 50 == 0;
            ledger[$"o{k}"] = new LedgerPayment($"o{k}", $"pay-{k}", "standard", cancelled ? OrderStatus.Cancelled : OrderStatus.Completed, cancelled ? null : 2500, "EUR");
        }
        return ledger;
    }

    /// <summary>The reconciler's own classification of each streamed line, against the in-memory ledger; no per-line state kept.</summary>
    private static async Task<Dictionary<string, long>> ClassifyAsync(IAsyncEnumerable<StatementEntry> entries, IReadOnlyDictionary<string, LedgerPayment> ledger)
    {
        var counts = new Dictionary<string, long>();
        await foreach (var entry in entries)
        {
            var kind = entry.Line is { } line ? StatementReconciler.Classify(line, ledger.GetValueOrDefault(line.OrderId))?.ToString() ?? "none" : "malformed";
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
        }
        return counts;
    }

    private static void AddPhase(BenchReport report, string @case, long count, double seconds, MemoryUse memory)
    {
        report.Add(Suite, @case, "throughput", count / seconds, "lines/s");
        report.Add(Suite, @case, "peak heap growth", memory.PeakHeapGrowthBytes / 1048576.0, "MB");
        report.Add(Suite, @case, "retained after", memory.RetainedBytes / 1048576.0, "MB");
        report.Add(Suite, @case, "allocated per line", (double)memory.AllocatedBytes / count, "bytes");
        report.Add(Suite, @case, "gen2 collections", memory.Gen2Collections, "");
        report.Add(Suite, @case, "process peak working set (so far)", memory.ProcessPeakWorkingSetBytes / 1048576.0, "MB");
        report.Add(Suite, @case, "peak working set during phase", memory.PhasePeakWorkingSetBytes / 1048576.0, "MB");
    }

    private static async Task<(T Result, double Seconds, MemoryUse Memory)> TimedAsync<T>(Func<Task<T>> phase)
    {
        var watch = new Stopwatch();
        var (result, memory) = await MemoryProbe.MeasureAsync(async () =>
        {
            watch.Start();
            var r = await phase();
            watch.Stop();
            return r;
        });
        return (result, watch.Elapsed.TotalSeconds, memory);
    }

    /// <summary>The transport's ceiling: the statement's bytes read and its newlines counted, nothing parsed.</summary>
    private static async Task<long> CountLinesAsync(HttpClient http, DateOnly date)
    {
        using var response = await http.GetAsync($"v1/statements/{date:yyyy-MM-dd}", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long newlines = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            newlines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        return newlines - 1; // the header
    }
}
