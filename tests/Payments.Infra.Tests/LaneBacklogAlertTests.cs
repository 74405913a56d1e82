using Payments.Recovery;

namespace Payments.Infra.Tests;

/// <summary>
/// Issue 15, item 3: a growing retry lane raises an alert, and the alert reads the very metrics the
/// drain records (names taken from the code, so a renamed metric fails here, not silently in Azure).
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class LaneBacklogAlertTests(DeploymentFixture deployment)
{
    [Fact]
    public void The_lane_backlog_alert_queries_the_depth_and_age_metrics_the_drain_emits()
    {
        var logAlerts = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Insights/scheduledQueryRules").Single();
        var backlog = logAlerts.Scope.Variable("logAlerts")!.AsArray()
            .Single(a => a!["name"]!.GetValue<string>() == "retry-lane-backlog")!;
        var query = backlog["query"]!.GetValue<string>();

        Assert.Contains($"name == \"{PipelineMetrics.LaneOldestAgeName}\"", query, StringComparison.Ordinal);
        Assert.Contains($"name == \"{PipelineMetrics.LaneDepthName}\"", query, StringComparison.Ordinal);
        Assert.StartsWith("customMetrics", query.TrimStart('[').Replace("format('", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
