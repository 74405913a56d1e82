namespace Payments.Benchmarks.Reporting;

/// <summary>Everything one run measured, plus the findings (bottlenecks, stand-ins) that go with the numbers.</summary>
public sealed class BenchReport
{
    private readonly Lock gate = new();

    public List<Measurement> Measurements { get; } = [];

    public List<string> Findings { get; } = [];

    public Dictionary<string, string> Machine { get; init; } = [];

    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>The suites that have run so far, in order: the results file is rewritten after each one.</summary>
    public List<string> CompletedSuites { get; } = [];

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public double ElapsedSeconds { get; set; }

    public void Add(string suite, string @case, string metric, double value, string unit)
    {
        lock (gate)
        {
            Measurements.Add(new Measurement(suite, @case, metric, value, unit));
        }
    }

    public void Finding(string suite, string text)
    {
        lock (gate)
        {
            Findings.Add($"[{suite}] {text}");
        }
    }

    public double? Find(string suite, string @case, string metric) =>
        Measurements.LastOrDefault(m => m.Suite == suite && m.Case == @case && m.Metric == metric)?.Value;
}
