using System.Text.Json.Nodes;
using Payments.Faults;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Infra.Tests;

/// <summary>The Function App's app settings in main.bicep against what the app reads (discovered from the code).</summary>
[Collection(DeploymentCollection.Name)]
public sealed class AppSettingsTests(DeploymentFixture deployment)
{
    public static TheoryData<string> RequiredSettings()
    {
        var data = new TheoryData<string>();
        foreach (var name in AppSettingsContract.Discover().Required.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }
        return data;
    }

    [Fact]
    public void Every_setting_the_app_reads_is_set_and_no_forbidden_one_is()
    {
        var settings = CompiledTemplate.FindAppSettings(deployment.Template);

        var report = deployment.Contract.Check(settings.Names);

        Assert.True(report.IsClean, $"main.bicep app settings vs the app: {report}");
    }

    [Fact]
    public void Discovery_finds_options_timer_schedules_and_host_placeholders_and_skips_the_exempt_ones()
    {
        var required = deployment.Contract.Required;

        Assert.Contains($"{StandardWebhooksOptions.Section}__{nameof(StandardWebhooksOptions.StandardSecrets)}", required.Keys);
        // A connector's nested section becomes nested app-setting names.
        Assert.Contains($"Connectors__Stripe__{nameof(StripeOptions.ApiKey)}", required.Keys);
        Assert.Contains($"{SagaOptions.Section}__{nameof(SagaOptions.PaymentWindowSeconds)}", required.Keys);
        Assert.Contains($"{GatewayOptions.Section}__{nameof(GatewayOptions.AttemptTimeoutSeconds)}", required.Keys);
        Assert.Contains($"{StorageOptions.Section}__{nameof(StorageOptions.TableServiceUri)}", required.Keys);
        Assert.Contains($"{StorageOptions.Section}__{nameof(StorageOptions.BlobServiceUri)}", required.Keys);
        Assert.Contains("ReconcilerSchedule", required.Keys);
        Assert.Contains("TimerTriggerAttribute", required["ReconcilerSchedule"]);
        Assert.Contains("DurableTaskHubName", required.Keys);
        Assert.Equal("host.json", required["DurableTaskHubName"]);
        Assert.DoesNotContain(required.Keys, k => k.StartsWith(FaultOptions.Section + "__", StringComparison.Ordinal));
        Assert.DoesNotContain(AppSettingsContract.StorageConnectionString, required.Keys);
        Assert.DoesNotContain(AppSettingsContract.StorageNamePrefix, required.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", required.Keys);
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", required.Keys);
    }

    [Theory]
    [MemberData(nameof(RequiredSettings))]
    public void A_setting_removed_from_the_template_is_reported_as_missing_by_name(string name)
    {
        var template = deployment.TemplateCopy();
        CompiledTemplate.FindAppSettings(template).RemoveFromTemplate(name);

        var report = deployment.Contract.Check(CompiledTemplate.FindAppSettings(template).Names);

        // Relative to the real template, so a gap there fails one test above instead of all of these.
        var before = deployment.Contract.Check(CompiledTemplate.FindAppSettings(deployment.Template).Names);
        Assert.Equal([name], report.Missing.Except(before.Missing));
        Assert.Equal(before.Forbidden, report.Forbidden);
    }

    [Theory]
    [InlineData("Faults__AddedLatencyMs")]
    [InlineData("Faults__StockTransientFailureRate")]
    [InlineData("Faults__Seed")]
    [InlineData("PaymentsStorage__ConnectionString")]
    [InlineData("AzureWebJobsStorage")]
    public void A_forbidden_setting_added_to_the_template_is_reported_by_name(string name)
    {
        var template = deployment.TemplateCopy();
        CompiledTemplate.FindAppSettings(template).SetInTemplate(name, "planted");

        var report = deployment.Contract.Check(CompiledTemplate.FindAppSettings(template).Names);

        var before = deployment.Contract.Check(CompiledTemplate.FindAppSettings(deployment.Template).Names);
        Assert.Equal([name], report.Forbidden.Except(before.Forbidden));
        Assert.Equal(before.Missing, report.Missing);
    }

    [Fact]
    public void Settings_of_code_not_in_main_bicep_yet_are_reported_when_that_code_appears()
    {
        var contract = AppSettingsContract.Discover(typeof(FutureLaneOptions), typeof(FutureLaneFunctions));

        var report = contract.Check(CompiledTemplate.FindAppSettings(deployment.Template).Names);

        // Lane__Transport and Lane__QueueName are deployed already; the new property, the new timer
        // schedule and the connection string (forbidden in Azure, so not required) are what is left.
        Assert.Equal(["LaneArchiveSchedule", "Lane__ArchiveAfterDays"], report.Missing);
        Assert.Empty(report.Forbidden);
        Assert.Contains("Lane__ConnectionString", contract.Forbidden);
    }

    /// <summary>Stands in for a retry-lane option not written yet (a known section with a new property).</summary>
    private sealed class FutureLaneOptions
    {
        public const string Section = "Lane";

        public string Transport { get; set; } = "";

        public string QueueName { get; set; } = "";

        public string ConnectionString { get; set; } = "";

        public int ArchiveAfterDays { get; set; }
    }

    /// <summary>Stands in for a timer function not written yet.</summary>
    private sealed class FutureLaneFunctions
    {
        public static void Drain([Microsoft.Azure.Functions.Worker.TimerTrigger("%LaneArchiveSchedule%")] Microsoft.Azure.Functions.Worker.TimerInfo timer) =>
            ArgumentNullException.ThrowIfNull(timer);
    }

    /// <summary>
    /// The version the app stamps new sagas with and the one the Durable host runs up to
    /// (host.json's defaultVersion, overridden by an app setting) are one value: were they to differ,
    /// the host would refuse (Reject) every saga the app starts on a newer version.
    /// </summary>
    [Fact]
    public void The_saga_version_the_app_stamps_is_the_version_the_durable_host_runs()
    {
        const string HostDefaultVersion = "AzureFunctionsJobHost__extensions__durableTask__defaultVersion";
        var sagaVersion = $"{SagaOptions.Section}__{nameof(SagaOptions.Version)}";
        var settings = CompiledTemplate.FindAppSettings(deployment.Template).ByName;
        var local = JsonNode.Parse(File.ReadAllText(Repo.PathOf("local.settings.json")))!["Values"]!;
        var host = JsonNode.Parse(File.ReadAllText(Repo.PathOf("host.json")))!["extensions"]!["durableTask"]!;

        Assert.Equal("sagaVersion", CompiledTemplate.RootParameterOf(settings[sagaVersion]));
        Assert.True(JsonNode.DeepEquals(settings[sagaVersion], settings[HostDefaultVersion]), "Saga__Version and the host's defaultVersion differ");
        Assert.Equal(local[sagaVersion]?.GetValue<string>(), local[HostDefaultVersion]?.GetValue<string>());
        Assert.Equal(SagaVersions.Current, local[sagaVersion]?.GetValue<string>());
        Assert.Equal(SagaVersions.Current, deployment.Template["parameters"]?["sagaVersion"]?["defaultValue"]?.GetValue<string>());
        Assert.Equal(("CurrentOrOlder", "Reject"), (host["versionMatchStrategy"]?.GetValue<string>(), host["versionFailureStrategy"]?.GetValue<string>()));
    }

    [Fact]
    public void Host_app_and_service_bus_connections_use_the_managed_identity()
    {
        var settings = CompiledTemplate.FindAppSettings(deployment.Template).ByName;

        foreach (var connection in new[] { "AzureWebJobsStorage", StorageOptions.Section, "ServiceBus" })
        {
            Assert.Equal("managedidentity", settings[$"{connection}__credential"]?.GetValue<string>());
            // The user-assigned identity's client id, the same value DefaultAzureCredential gets.
            Assert.True(JsonNode.DeepEquals(settings["AZURE_CLIENT_ID"], settings[$"{connection}__clientId"]), connection);
        }
        Assert.Contains("clientId", settings["AZURE_CLIENT_ID"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ServiceBus", settings["Lane__Transport"]?.GetValue<string>());
    }

    [Fact]
    public void Each_range_validated_option_comes_from_a_bicep_parameter_with_the_same_range()
    {
        var settings = CompiledTemplate.FindAppSettings(deployment.Template).ByName;
        var parameters = deployment.Template["parameters"]!.AsObject();
        var ranged = deployment.Contract.OptionProperties
            .Where(p => deployment.Contract.Required.ContainsKey(p.Key))
            .Select(p => (Name: p.Key, Property: p.Value, Range: AppSettingsContract.IntegerRange(p.Value)))
            .Where(p => p.Range is not null)
            .ToList();
        Assert.NotEmpty(ranged);

        foreach (var (name, property, range) in ranged)
        {
            if (!settings.TryGetValue(name, out var value))
            {
                continue; // reported by Every_setting_the_app_reads_is_set_and_no_forbidden_one_is
            }
            var owner = $"{property.DeclaringType!.Name}.{property.Name}";
            var parameter = CompiledTemplate.RootParameterOf(value);
            Assert.True(parameter is not null, $"{name} should come from a main.bicep parameter with @minValue/@maxValue like {owner}'s [Range]");
            var declaration = parameters[parameter!]!;
            Assert.True(range!.Value.Min == declaration["minValue"]?.GetValue<long>(), $"{parameter} @minValue should be {range.Value.Min} like {owner}");
            Assert.True(range.Value.Max == declaration["maxValue"]?.GetValue<long>(), $"{parameter} @maxValue should be {range.Value.Max} like {owner}");
        }
    }
}
