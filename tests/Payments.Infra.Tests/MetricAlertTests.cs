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
    public void The_provider_mismatch_alert_queries_the_counter_dispatch_and_the_statement_emit() =>
        Assert.Contains($"name == \"{Payments.Saga.SagaMetrics.ProviderMismatchesName}\"", QueryOf("provider-mismatch"), StringComparison.Ordinal);

    [Fact]
    public void The_money_findings_alert_queries_the_gauge_the_money_monitor_records() =>
        Assert.Contains($"name == \"{PipelineMetrics.MoneyFindingsName}\"", QueryOf("money-findings"), StringComparison.Ordinal);

    /// <summary>
    /// The alerts query Application Insights, so the app must send there: the host in OpenTelemetry
    /// mode, and the worker's exporter given the component's connection string and the identity it
    /// signs in with (the component takes no keys). What is sent is checked by AlertTelemetryTests.
    /// </summary>
    [Fact]
    public void The_app_exports_its_telemetry_to_the_application_insights_the_alerts_query()
    {
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repo.PathOf("host.json")))!;
        Assert.Equal("OpenTelemetry", host["telemetryMode"]?.GetValue<string>());
        var names = CompiledTemplate.FindAppSettings(deployment.Template).Names;
        Assert.Contains(Payments.Hosting.PipelineTelemetry.ConnectionStringSetting, names);
        Assert.Contains(Payments.Hosting.PipelineTelemetry.AuthenticationSetting, names);
    }

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
