namespace Payments.Benchmarks.Infrastructure;

/// <summary>Latency samples in milliseconds, summarised as nearest-rank percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> samples = [];
    private readonly Lock gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return samples.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (gate)
        {
            samples.Add(milliseconds);
        }
    }

    public void AddRange(IEnumerable<double> milliseconds)
    {
        lock (gate)
        {
            samples.AddRange(milliseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (gate)
        {
            if (samples.Count == 0)
            {
                return double.NaN;
            }
            var sorted = samples.Order().ToArray();
            var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }
    }

    public double[] Samples()
    {
        lock (gate)
        {
            return [.. samples];
        }
    }

    public double Max()
    {
        lock (gate)
        {
            return samples.Count == 0 ? double.NaN : samples.Max();
        }
    }
}
