namespace Payments.Benchmarks.Infrastructure;

/// <summary>What one load phase achieved.</summary>
public sealed record LoadResult(int Completed, int Failed, TimeSpan Elapsed, Latencies Latency, double OfferedPerSecond)
{
    public double PerSecond => Completed / Elapsed.TotalSeconds;
}
