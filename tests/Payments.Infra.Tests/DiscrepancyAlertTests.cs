using Payments.Recovery;

namespace Payments.Infra.Tests;

/// <summary>
/// The discrepancy alert reads the counter the statement run adds to, by the name the code gives it
/// (it used to query a name nothing emitted, so it could never fire).
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class DiscrepancyAlertTests(DeploymentFixture deployment)
{
    [Fact]
    public void The_discrepancy_alert_queries_the_counter_the_statement_run_emits()
    {
        var logAlerts = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Insights/scheduledQueryRules").Single();
        var alert = logAlerts.Scope.Variable("logAlerts")!.AsArray()
            .Single(a => a!["name"]!.GetValue<string>() == "reconciliation-discrepancies")!;

        Assert.Contains($"name == \"{PipelineMetrics.ReconciliationDiscrepanciesName}\"", alert["query"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
