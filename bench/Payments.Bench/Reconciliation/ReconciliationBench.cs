using System.Diagnostics;
using Payments.Benchmarks.Reporting;
using Payments.Gateway;
using Payments.Hosting;
using Payments.LocalHost;
using Payments.Saga;

namespace Payments.Benchmarks.Reconciliation;

/// <summary>
/// Statement reconciliation at scale: the gateway port's streaming <see cref="IPaymentGateway.GetStatementAsync"/>
/// (the real <see cref="HttpPaymentGateway"/>, composed with its resilience handler as the app composes
/// it) reading a synthetic statement over HTTP, each line classified against an in-memory ledger.
/// Its limit: reading the same bytes off the same socket without parsing anything.
/// </summary>
/// <remarks>
/// The pipeline's own statement reconciler did not exist on this branch when the bench was written,
/// so the classification step is <see cref="StandInClassifier"/>, a labelled stand-in. The ledger
/// has a fixed size, so the only thing that grows between runs is the statement.
/// </remarks>
public static class ReconciliationBench
{
    private const string Suite = "reconciliation";

    public static async Task RunAsync(string repoRoot, BenchOptions options, BenchReport report, TextWriter log)
    {
        await using var server = await SyntheticStatementServer.StartAsync();
        var configuration = LocalSettings.Build([], Path.Combine(repoRoot, "local.settings.json"), new Dictionary<string, string?>
        {
            ["Gateway:BaseUrl"] = server.BaseAddress.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await using var services = new ServiceCollection().AddLogging().AddPaymentsCore(configuration).BuildServiceProvider();
        var gateway = services.GetRequiredService<IPaymentGateway>();
        using var raw = new HttpClient { BaseAddress = server.BaseAddress };

        var ledger = BuildLedger(options.LedgerOrders);
        // About 1 % of the statement's orders are not in the ledger (paid but unknown).
        var orderSpace = options.LedgerOrders + Math.Max(1, options.LedgerOrders / 100);
        report.Add(Suite, "ledger (in-memory lookup)", "orders", ledger.Count, "orders");

        // Warm-up (JIT, connection pools, GC budgets), not reported.
        var date = new DateOnly(2025, 1, 1);
        server.Register(date, new SyntheticStatementServer.StatementShape(Math.Min(20_000, options.StatementLines[0]), orderSpace));
        await CountLinesAsync(raw, date);
        await StandInClassifier.ClassifyAsync(gateway.GetStatementAsync(date), ledger);

        foreach (var lines in options.StatementLines)
        {
            date = date.AddDays(1);
            server.Register(date, new SyntheticStatementServer.StatementShape(lines, orderSpace));
            var label = $"{lines:N0} lines";
            log.WriteLine($"  reconciliation: {label}");

            var (rawLines, rawTime, rawMemory) = await TimedAsync(() => CountLinesAsync(raw, date));
            var (counts, time, memory) = await TimedAsync(() => StandInClassifier.ClassifyAsync(gateway.GetStatementAsync(date), ledger));
            if (rawLines != lines || counts.Total != lines)
            {
                throw new InvalidOperationException($"Expected {lines} lines; raw read {rawLines}, classified {counts.Total}.");
            }

            Add($"raw HTTP stream (limit), {label}", rawLines, rawTime, rawMemory);
            Add($"HttpPaymentGateway + stand-in classifier, {label}", lines, time, memory);
            report.Add(Suite, $"gateway+classify ÷ raw stream, {label}", "throughput ratio", rawTime / time, "×");
            report.Add(Suite, $"classified, {label}", "matched / unknown / cancelled / mismatch / refunds",
                counts.Matched, $"/ {counts.PaidButUnknown} / {counts.PaidButCancelled} / {counts.AmountMismatch} / {counts.Refunds}");
        }
        if (options.StatementLines.Count >= 2)
        {
            var (small, large) = (options.StatementLines[0], options.StatementLines[^1]);
            var growth = report.Find(Suite, $"HttpPaymentGateway + stand-in classifier, {large:N0} lines", "peak heap growth")
                / report.Find(Suite, $"HttpPaymentGateway + stand-in classifier, {small:N0} lines", "peak heap growth");
            report.Add(Suite, $"peak heap growth {large:N0} ÷ {small:N0} lines", "ratio (1 = flat)", growth ?? double.NaN, "×");
        }

        void Add(string @case, long count, double seconds, MemoryUse memory)
        {
            report.Add(Suite, @case, "throughput", count / seconds, "lines/s");
            report.Add(Suite, @case, "peak heap growth", memory.PeakHeapGrowthBytes / 1048576.0, "MB");
            report.Add(Suite, @case, "retained after", memory.RetainedBytes / 1048576.0, "MB");
            report.Add(Suite, @case, "allocated per line", (double)memory.AllocatedBytes / count, "bytes");
            report.Add(Suite, @case, "gen2 collections", memory.Gen2Collections, "");
            report.Add(Suite, @case, "process peak working set (so far)", memory.ProcessPeakWorkingSetBytes / 1048576.0, "MB");
        }
    }

    /// <summary>Every 50th order cancelled, the rest completed at 25.00 EUR.</summary>
    private static Dictionary<string, LedgerEntry> BuildLedger(int orders)
    {
        var ledger = new Dictionary<string, LedgerEntry>(orders, StringComparer.Ordinal);
        for (var k = 0; k < orders; k++)
        {
            ledger[$"o{k}"] = new LedgerEntry(k % 50 == 0 ? OrderStatus.Cancelled : OrderStatus.Completed, 2500, "EUR");
        }
        return ledger;
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
