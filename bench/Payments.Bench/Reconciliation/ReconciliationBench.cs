using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;

namespace Payments.Benchmarks.Reconciliation;

public static class ReconciliationBench
{
    public static Task RunAsync(BenchOptions options, BenchReport report, TextWriter log) => Task.CompletedTask;
}
