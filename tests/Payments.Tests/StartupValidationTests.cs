using Microsoft.Extensions.Options;
using Payments.LocalHost;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Bad configuration stops the host at start-up with a message naming the setting, not at the first webhook.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Intake:StandardSecrets", "", "StandardSecrets")]
    [InlineData("Saga:PaymentWindowSeconds", "0", "PaymentWindowSeconds")]
    [InlineData("Gateway:BaseUrl", "not a url", "BaseUrl")]
    public async Task A_missing_or_invalid_setting_fails_start_up_naming_it(string key, string value, string named)
    {
        var settings = await PipelineHost.SettingsAsync("startup" + Guid.NewGuid().ToString("N")[..6], FreePort.Next());
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        settings[key] = value;

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings)));

        Assert.Contains(named, failure.Message);
    }
}
