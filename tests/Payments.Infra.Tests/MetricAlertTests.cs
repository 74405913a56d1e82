using Payments.Recovery;

namespace Payments.Infra.Tests;

/// <summary>
/// Alerts on the pipeline's own metrics read them by the names the code gives them (taken from the
/// code here), so a renamed metric fails in this suite, not silently in Azure. The discrepancy alert
/// used to query a name nothing emitted and could never fire.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class MetricAlertTests(DeploymentFixture deployment)
{
    [Fact]
    public void The_lane_backlog_alert_queries_the_depth_and_age_metrics_the_drain_emits()
    {
        var query = QueryOf("retry-lane-backlog");

        Assert.Contains($"name == \"{PipelineMetrics.LaneOldestAgeName}\"", query, StringComparison.Ordinal);
        Assert.Contains($"name == \"{PipelineMetrics.LaneDepthName}\"", query, StringComparison.Ordinal);
        Assert.StartsWith("customMetrics", query.TrimStart('[').Replace("format('", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_discrepancy_alert_queries_the_counter_the_statement_run_emits() =>
        Assert.Contains($"name == \"{PipelineMetrics.ReconciliationDiscrepanciesName}\"", QueryOf("reconciliation-discrepancies"), StringComparison.Ordinal);

    [Fact]
    public void The_incomplete_statement_alert_queries_both_counters_the_statement_run_emits()
    {
        var query = QueryOf("statement-run-incomplete");

        Assert.Contains($"name == \"{PipelineMetrics.StatementRunsFailedName}\"", query, StringComparison.Ordinal);
        Assert.Contains($"name == \"{PipelineMetrics.StatementSourcesFailedName}\"", query, StringComparison.Ordinal);
    }

    private string QueryOf(string alertName)
    {
        var logAlerts = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Insights/scheduledQueryRules").Single();
        return logAlerts.Scope.Variable("logAlerts")!.AsArray()
            .Single(a => a!["name"]!.GetValue<string>() == alertName)!["query"]!.GetValue<string>();
    }
}
