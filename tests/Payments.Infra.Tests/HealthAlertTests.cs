namespace Payments.Infra.Tests;

/// <summary>
/// Issue 16, item 1: a Key Vault reference that does not resolve reaches the app as literal text and
/// raises no Azure error of its own. The app refuses to use it and its health endpoint answers 503;
/// the deployment must turn that into an alert.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class HealthAlertTests(DeploymentFixture deployment)
{
    [Fact]
    public void An_availability_test_on_the_health_endpoint_alerts_the_operators()
    {
        Assert.Empty(DeploymentChecks.HealthWatchProblems(deployment.Template));
    }

    [Fact]
    public void A_health_test_pointed_elsewhere_or_an_alert_left_disabled_is_caught()
    {
        var template = deployment.TemplateCopy();
        var test = CompiledTemplate.ResourcesOfType(template, "Microsoft.Insights/webtests").Single();
        test.Properties["Request"]!["RequestUrl"] = "https://example.net/";
        var alert = CompiledTemplate.ResourcesOfType(template, "Microsoft.Insights/metricAlerts")
            .Single(a => a.Properties["criteria"]?["odata.type"]?.GetValue<string>() == "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria");
        alert.Properties["enabled"] = false;

        var problems = DeploymentChecks.HealthWatchProblems(template);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("/api/health", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("metric alert", StringComparison.Ordinal));
    }
}
