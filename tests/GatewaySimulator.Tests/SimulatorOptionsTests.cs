using Microsoft.Extensions.Configuration;

namespace GatewaySimulator.Tests;

public sealed class SimulatorOptionsTests
{
    [Fact]
    public void Command_line_arguments_bind_with_the_standard_binder()
    {
        var configuration = new ConfigurationBuilder()
            .AddCommandLine(["--Port", "7080", "--CallbackBaseUrl", "http://127.0.0.1:7071", "--DuplicateRate", "0.25",
                "--DeliveryDelayMax", "00:00:01", "--RetrySchedule:0", "00:00:03", "--ApiKey", "k"])
            .Build();

        var options = SimulatorOptions.FromConfiguration(configuration);

        Assert.Equal(7080, options.Port);
        Assert.Equal("http://127.0.0.1:7071", options.CallbackBaseUrl);
        Assert.Equal(0.25, options.DuplicateRate);
        Assert.Equal(TimeSpan.FromSeconds(1), options.DeliveryDelayMax);
        Assert.Equal([TimeSpan.FromSeconds(3)], options.RetrySchedule);
        Assert.Equal("k", options.ApiKey);
        options.Validate();
    }

    [Fact]
    public void Retry_schedule_accepts_a_comma_separated_value_and_defaults_otherwise()
    {
        var custom = SimulatorOptions.FromConfiguration(new ConfigurationBuilder()
            .AddCommandLine(["--RetrySchedule", "00:00:01, 00:00:04"])
            .Build());
        var defaults = SimulatorOptions.FromConfiguration(new ConfigurationBuilder().Build());

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)], custom.RetrySchedule);
        Assert.Equal(5, defaults.RetrySchedule.Count);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.ApiTimeout);
    }

    [Theory]
    [InlineData("http://10.0.0.5:7071")]
    [InlineData("not a url")]
    public void Non_loopback_or_malformed_callbacks_are_refused(string callbackBaseUrl)
    {
        var options = new SimulatorOptions { CallbackBaseUrl = callbackBaseUrl };

        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void Rates_outside_zero_to_one_and_bad_secrets_are_refused()
    {
        Assert.Throws<ArgumentException>(new SimulatorOptions { LossRate = 1.5 }.Validate);
        Assert.Throws<ArgumentException>(new SimulatorOptions { StandardSecret = "not-a-secret" }.Validate);
        Assert.Throws<ArgumentException>(new SimulatorOptions { DeliveryDelayMin = TimeSpan.FromSeconds(2), DeliveryDelayMax = TimeSpan.FromSeconds(1) }.Validate);
    }
}
