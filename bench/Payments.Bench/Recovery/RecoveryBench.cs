using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;

namespace Payments.Benchmarks.Recovery;

public static class RecoveryBench
{
    public static Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log) => Task.CompletedTask;
}
