using System.ComponentModel.DataAnnotations;
using Payments.Benchmarks;

namespace Payments.Tests;

/// <summary>The bench's settings come from the command line through configuration and are refused before anything starts.</summary>
public sealed class BenchOptionsTests
{
    [Fact]
    public void Settings_given_with_smoke_override_its_sizes_and_the_rest_stay_smoke_sized()
    {
        var options = BenchOptions.Bind(["--smoke", "--Bench:Suites", "intake, saga", "--Bench:SagaOrders", "12", "--Bench:Lane=2:5,4:10"]);

        Assert.True(options.Smoke);
        Assert.Equal(["intake", "saga"], options.SuiteNames);
        Assert.Equal(12, options.SagaOrders);
        Assert.Equal([(2, 5), (4, 10)], options.LaneCases);
        Assert.Equal(1, options.IntakeRounds);
        Assert.False(options.SagaSweep);
        Assert.Equal([2_000, 20_000], options.StatementSizes);
    }

    [Fact]
    public void Without_smoke_unset_settings_keep_the_full_defaults()
    {
        var options = BenchOptions.Bind(["--Bench:ActiveQuery", "3:2", "--Bench:SagaSweep", "false"]);

        Assert.False(options.Smoke);
        Assert.Equal(BenchOptions.AllSuites, options.SuiteNames);
        Assert.Equal([(3, 2)], options.ActiveQueryCases);
        Assert.False(options.SagaSweep);
        Assert.Equal(100, options.SagaOrders);
        Assert.Equal([5, 15], options.PaymentWindowSeconds);
    }

    [Theory]
    [InlineData("--Bench:Lane", "1:2,1:7", "Lane: '1:7'")]
    [InlineData("--Bench:ActiveQuery", "3", "ActiveQuery: '3'")]
    [InlineData("--Bench:Suites", "intake,sagas", "Suites: 'sagas'")]
    [InlineData("--Bench:StatementLines", "1000,0", "StatementLines: '0'")]
    [InlineData("--Bench:SagaOrders", "0", "SagaOrders must be at least 1")]
    [InlineData("--Bench:SagaOrders", "ten", "Bench:SagaOrders")]
    [InlineData("--only", "saga", "--only")]
    [InlineData("--Bench:Orders", "5", "--Bench:Orders")]
    public void An_invalid_setting_is_refused_with_a_message_naming_it(string key, string value, string named)
    {
        var refused = Assert.Throws<ValidationException>(() => BenchOptions.Bind(["--smoke", key, value]));

        Assert.Contains(named, refused.Message);
    }

    [Fact]
    public async Task The_bench_refuses_an_invalid_setting_before_starting_anything()
    {
        using var output = new StringWriter();

        var exitCode = await Bench.RunAsync(["--Bench:Lane", "1:7"], output);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("Invalid Bench settings:", output.ToString());
        Assert.DoesNotContain("results-", output.ToString());
    }
}
