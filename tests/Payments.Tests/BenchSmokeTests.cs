using System.Text.Json;
using Payments.Benchmarks;

namespace Payments.Tests;

/// <summary>
/// The benchmark harness still runs end to end on tiny sizes. It checks that numbers are produced,
/// never what they are: speed is measured by <c>./bench/run.sh</c>, not asserted in tests.
/// </summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task The_bench_harness_runs_every_suite_on_tiny_sizes_and_prints_its_table()
    {
        using var output = new StringWriter();

        var exitCode = await Bench.RunAsync(["--smoke"], output);

        var text = output.ToString();
        Assert.True(exitCode == 0, text);
        foreach (var suite in new[] { "intake", "intake-registered", "saga", "requests", "reconciliation", "recovery", "backlog", "history" })
        {
            Assert.Contains(suite, text, StringComparison.OrdinalIgnoreCase);
        }
        // The statement run: a day against the bare range scan of its orders, and two statement sizes for flat memory.
        Assert.Contains("statement run ÷ bare range scan", text);
        Assert.Contains("statement run peak working set", text);
        // Storage requests per paid order, counted at the proxy, with the account's ceiling derived from them.
        Assert.Contains("per paid order, all phases", text);
        Assert.Contains("ceiling per storage account", text);
        // The recovery tick with a small and a large history, side by side.
        Assert.Contains("recovery tick storage requests", text);
        Assert.Contains("results-", text);
    }

    [Fact]
    public async Task Each_suite_is_on_disk_before_the_next_one_starts()
    {
        var directory = Path.Combine(Path.GetTempPath(), "bench-" + Guid.NewGuid().ToString("N"));
        using var output = new ResultsWhenSuiteStarts(directory, "requests");

        var exitCode = await Bench.RunAsync(["--smoke", "--Bench:Suites", "intake,requests", "--Bench:OutputDirectory", directory], output);

        Assert.True(exitCode == 0, output.ToString());
        // What a run that died during the second suite would have left: the first suite's numbers.
        var early = JsonDocument.Parse(Assert.Single(output.Snapshot!)).RootElement;
        Assert.Equal(["intake"], early.GetProperty("completedSuites").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(early.GetProperty("measurements").EnumerateArray(), m => m.GetProperty("suite").GetString() == "intake");
        var final = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(directory, "results-*.json")))).RootElement;
        Assert.Equal(["intake", "requests"], final.GetProperty("completedSuites").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(final.GetProperty("measurements").EnumerateArray(), m => m.GetProperty("suite").GetString() == "requests");
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>The bench's output, which reads the results folder the moment a given suite starts.</summary>
    private sealed class ResultsWhenSuiteStarts(string directory, string suite) : StringWriter
    {
        public IReadOnlyList<string>? Snapshot { get; private set; }

        public override void WriteLine(string? value)
        {
            if (value == $"- {suite} ..." && Snapshot is null)
            {
                Snapshot = Directory.Exists(directory) ? [.. Directory.GetFiles(directory, "results-*.json").Select(File.ReadAllText)] : [];
            }
            base.WriteLine(value);
        }
    }
}
