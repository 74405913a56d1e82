using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Payments.Benchmarks.History;
using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Intake;
using Payments.Benchmarks.Reconciliation;
using Payments.Benchmarks.Recovery;
using Payments.Benchmarks.Reporting;
using Payments.Benchmarks.Requests;
using Payments.Benchmarks.Saga;

namespace Payments.Benchmarks;

/// <summary>
/// The benchmark command: each part of the pipeline measured side by side with its limit in the
/// same run, printed as a table and written to bench/results. Callable in-process (a smoke test
/// runs <c>--smoke</c> through here).
/// </summary>
public static class Bench
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            output.WriteLine(BenchOptions.Usage);
            return 0;
        }
        BenchOptions options;
        try
        {
            options = BenchOptions.Bind(args);
        }
        catch (ValidationException ex)
        {
            output.WriteLine(ex.Message);
            output.WriteLine("--help lists every setting with its default.");
            return 2;
        }

        var repoRoot = RepoRoot.Find();
        var report = new BenchReport { Machine = DescribeMachine(), Settings = Describe(options) };
        var total = Stopwatch.StartNew();
        var failed = false;
        var directory = options.OutputDirectory ?? Path.Combine(repoRoot, "bench", "results");
        output.WriteLine($"Payments benchmarks{(options.Smoke ? " (smoke sizes)" : "")}: {string.Join(", ", options.SuiteNames)} on {Environment.ProcessorCount} cores");
        foreach (var suite in options.SuiteNames)
        {
            var watch = Stopwatch.StartNew();
            output.WriteLine($"- {suite} ...");
            try
            {
                // A fresh in-memory Azurite per suite: Azurite slows down as rows and queue messages pile up
                // (intake alone leaves tens of thousands), and one suite's leftovers must not tax the next.
                await using var env = await BenchEnvironment.StartAsync(repoRoot);
                await (suite switch
                {
                    "intake" => IntakeBench.RunAsync(env, options, report, output),
                    "intake-registered" => IntakeBench.RunRegisteredAsync(env, options, report, output),
                    "requests" => RequestsBench.RunAsync(env, options, report, output),
                    "saga" => SagaBench.RunAsync(env, options, report, output),
                    "reconciliation" => ReconciliationBench.RunAsync(env, options, report, output),
                    "recovery" => RecoveryBench.RunAsync(env, options, report, output),
                    "backlog" => BacklogBench.RunAsync(env, options, report, output),
                    "history" => HistoryBench.RunAsync(env, options, report, output),
                    _ => throw new InvalidOperationException($"No suite {suite}."),
                });
                report.Machine[$"azurite_working_set_mb_after_{suite}"] = (env.Azurite.WorkingSetBytes() / 1048576).ToString();
            }
            catch (Exception ex)
            {
                failed = true;
                report.Finding(suite, $"FAILED: {ex.GetType().Name}: {ex.Message}");
                output.WriteLine(ex);
            }
            output.WriteLine($"  {suite} took {watch.Elapsed.TotalSeconds:0} s");
            // Written after every suite, so a run that dies later keeps what it measured so far.
            report.CompletedSuites.Add(suite);
            report.ElapsedSeconds = total.Elapsed.TotalSeconds;
            await ResultFiles.WriteAsync(report, directory);
        }
        report.ElapsedSeconds = total.Elapsed.TotalSeconds;

        ResultTable.Write(report, output);
        var (json, svg) = await ResultFiles.WriteAsync(report, directory);
        output.WriteLine();
        output.WriteLine($"Results: {json}");
        output.WriteLine($"Chart:   {svg}");
        output.WriteLine($"Total:   {report.ElapsedSeconds:0} s");
        return failed ? 1 : 0;
    }

    private static Dictionary<string, string> DescribeMachine()
    {
        var machine = new Dictionary<string, string>
        {
            ["cores"] = Environment.ProcessorCount.ToString(),
            ["memory_gb"] = (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024)).ToString("0.0"),
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["gc"] = GCSettings.IsServerGC ? "server" : "workstation",
        };
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo) && File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } model)
        {
            machine["cpu"] = model[(model.IndexOf(':') + 1)..].Trim();
        }
        return machine;
    }

    private static Dictionary<string, string> Describe(BenchOptions o) => new()
    {
        ["smoke"] = o.Smoke.ToString(),
        ["suites"] = string.Join(",", o.SuiteNames),
        ["intake"] = $"rounds={o.IntakeRounds} phase_s={o.IntakePhaseSeconds} clients={o.IntakeClients} offered_fraction={o.IntakeOfferedFraction}",
        ["intake-registered"] = $"orders={o.IntakeRegisteredOrders} durable_storage={o.IntakeDurableStorage}",
        ["saga"] = $"orders={o.SagaOrders} sweep={o.SagaSweep}",
        ["requests"] = $"orders={o.RequestOrders} idle_s={o.RequestIdleSeconds}",
        ["reconciliation"] = $"lines={string.Join(",", o.StatementSizes)} ledger_orders={o.LedgerOrders} reconciler_orders={o.ReconcilerOrders} run_lines={string.Join(",", o.RunSizes)} chunk_lines={o.ChunkLines}",
        ["recovery"] = $"windows_s={string.Join(",", o.PaymentWindowSeconds)} active_query_after:period_s={string.Join(",", o.ActiveQueryCases.Select(p => $"{p.After}:{p.Period}"))} " +
            $"lane_backoff:period_s={string.Join(",", o.LaneCases.Select(p => $"{p.Backoff}:{p.Period}"))} orders_per_case={o.RecoveryOrdersPerCase}",
        ["backlog"] = $"messages={o.BacklogMessages} orders={o.BacklogOrders} concurrency={o.BacklogConcurrency}",
        ["history"] = $"finished_orders={string.Join(",", o.HistoryOrderSizes)} ticks={o.HistoryTicks}",
    };
}
