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
        foreach (var suite in new[] { "intake", "intake-registered", "saga", "requests", "reconciliation", "recovery", "backlog" })
        {
            Assert.Contains(suite, text, StringComparison.OrdinalIgnoreCase);
        }
        // The statement run: a day against the bare range scan of its orders, and two statement sizes for flat memory.
        Assert.Contains("statement run ÷ bare range scan", text);
        Assert.Contains("statement run peak working set", text);
        // Storage requests per paid order, counted at the proxy, with the account's ceiling derived from them.
        Assert.Contains("per paid order, all phases", text);
        Assert.Contains("ceiling per storage account", text);
        Assert.Contains("results-", text);
    }
}
