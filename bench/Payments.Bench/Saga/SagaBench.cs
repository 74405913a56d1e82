using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;

namespace Payments.Benchmarks.Saga;

public static class SagaBench
{
    public static Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log) => Task.CompletedTask;
}
