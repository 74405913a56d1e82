using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// The pipeline's logs and meter captured the way the exporters see them (OpenTelemetry's in-memory
/// exporter, logs configured as <see cref="PipelineTelemetry.ConfigureLogs"/> configures them for Azure Monitor).
/// </summary>
public sealed class AlertTelemetryFixture : PipelineFixture
{
    public List<LogRecord> Logs { get; } = [];
    public List<Metric> Metrics { get; } = [];
    public MeterProvider Meters { get; }
    private readonly ILoggerFactory logs;

    public AlertTelemetryFixture()
    {
        Meters = Sdk.CreateMeterProviderBuilder().AddMeter(PipelineTelemetry.MeterNames).AddInMemoryExporter(Metrics).Build();
        logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddOpenTelemetry(o =>
        {
            PipelineTelemetry.ConfigureLogs(o);
            o.AddInMemoryExporter(Logs);
        }));
    }

    // The standard gateway's statement breaks off on its first read (tools/Payments.Faults), so the run reports the source and reads it again.
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("alerts", settings =>
    {
        settings["Faults:FailingStatementProviders"] = "standard";
        settings["Faults:StatementReadFailures"] = "1";
        settings["Reconciler:StatementSourceRetrySeconds"] = "1";
    }, services: s => s.AddSingleton(logs));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Meters.Dispose();
        logs.Dispose();
    }
}

/// <summary>
/// Every alert in infra/modules/alerts.bicep queries telemetry the code really emits: the test drives
/// the paths the alerts are for (a payment the pipeline never saw: its callback grows the retry lane,
/// the statement finds the discrepancy and parks it for an operator), captures what the exporters
/// would send, and evaluates each alert's query against it — the metric names a <c>customMetrics</c>
/// query reads, the message clauses a <c>traces</c> query matches. An alert on telemetry only the
/// Functions host emits is named in <see cref="HostEmitted"/>, and nothing else may be.
/// </summary>
public sealed partial class AlertTelemetryTests(AlertTelemetryFixture fixture) : IClassFixture<AlertTelemetryFixture>
{
    /// <summary>Alerts on the Functions host's own Durable tracking events, which no worker code emits.</summary>
    private static readonly Dictionary<string, string> HostEmitted = new()
    {
        ["failed-orchestrations"] = "Host.Triggers.DurableTask",
    };

    /// <summary>
    /// Metrics only a statement run that gives up after minutes of retries emits: driven on the
    /// in-memory engine by Payments.Saga.Tests' StatementRunTests, which checks the counter.
    /// </summary>
    private static readonly HashSet<string> EmittedByAGivenUpRun = [PipelineMetrics.StatementRunsFailedName];

    [Fact]
    public async Task Every_alert_query_matches_telemetry_the_pipeline_emits_on_the_path_it_watches()
    {
        var pipeline = fixture.Pipeline;
        // A payment for an order this pipeline never saw: its webhook waits on the retry lane, and the
        // day's statement (read twice: the first read breaks off) finds it paid but unknown locally, a
        // discrepancy parked for an operator.
        (await pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = "pay-alert-ghost", orderId = "alert-ghost", amountMinor = 900, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
        await pipeline.Gateway.PayAsync("pay-alert-ghost");
        await pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the lane's back-off (1 s in tests), so the drain handles it
        await pipeline.Service<RetryLane>().DrainAsync(pipeline.Durable);
        var report = await pipeline.ReconcileStatementAsync();
        Assert.Contains(report.Discrepancies, d => d.OrderId == "alert-ghost" && d.Action == "parked");
        // A well-signed Stripe success naming a standard order: parked as provider_mismatch, counted.
        var order = await pipeline.RegisterOrderAsync("alert-mm");
        await pipeline.WaitForOutcomeAsync(order.OrderId); // no stock for it: cancelled, and still another gateway's event is refused
        using (var forged = await pipeline.Http.SendAsync(TestWebhooks.Stripe(pipeline.Host.BaseAddress,
            TestWebhooks.StripePaymentIntent("evt_alert_mm", "payment_intent.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, forged.StatusCode);
        }

        // The money monitor's run: its gauge is recorded for every rule, zero included.
        await pipeline.Service<MoneyMonitor>().RunAsync();

        fixture.Meters.ForceFlush();
        var metrics = fixture.Metrics.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var messages = fixture.Logs.Select(l => l.FormattedMessage).OfType<string>().ToArray();
        var alerts = LogAlerts();

        Assert.NotEmpty(alerts);
        foreach (var (name, query) in alerts)
        {
            if (HostEmitted.TryGetValue(name, out var category))
            {
                Assert.Contains(category, query, StringComparison.Ordinal);
                continue;
            }
            if (query.StartsWith("customMetrics", StringComparison.Ordinal))
            {
                var names = MetricName().Matches(query).Select(m => m.Groups[1].Value).ToArray();
                Assert.True(names.Length > 0, $"{name}: no metric name in '{query}'");
                Assert.All(names, n => Assert.True(metrics.Contains(n) || EmittedByAGivenUpRun.Contains(n), $"{name} queries metric '{n}', which was not emitted; emitted: {string.Join(", ", metrics.Order())}"));
            }
            else if (query.StartsWith("traces", StringComparison.Ordinal))
            {
                var clauses = MessageClause().Matches(query).Select(m => (Op: m.Groups[1].Value, Text: m.Groups[2].Value)).ToArray();
                Assert.True(clauses.Length > 0, $"{name}: no message clause in '{query}'");
                Assert.True(messages.Any(m => clauses.All(c => Holds(m, c.Op, c.Text))), $"{name}: no emitted log message matches '{query}'");
            }
            else
            {
                Assert.Fail($"{name}: a query on a table this test cannot evaluate: '{query}'");
            }
        }
    }

    /// <summary>The (name, query) of each entry of <c>logAlerts</c> in infra/modules/alerts.bicep.</summary>
    public static IReadOnlyList<(string Name, string Query)> LogAlerts()
    {
        var bicep = File.ReadAllText(RepoPaths.InRoot("infra", "modules", "alerts.bicep")).ReplaceLineEndings("\n");
        var start = bicep.IndexOf("var logAlerts = [", StringComparison.Ordinal);
        var block = bicep[start..bicep.IndexOf("\n]\n", start, StringComparison.Ordinal)];
        return [.. AlertEntry().Matches(block).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];
    }

    // KQL: startswith and has are case-insensitive; has matches whole terms, which a substring check over-approximates only for mid-word hits.
    private static bool Holds(string message, string op, string text) => op switch
    {
        "startswith" => message.StartsWith(text, StringComparison.OrdinalIgnoreCase),
        "has" or "contains" => message.Contains(text, StringComparison.OrdinalIgnoreCase),
        "==" => message == text,
        _ => throw new InvalidOperationException($"Unknown KQL operator '{op}'."),
    };

    [GeneratedRegex(@"name: '([a-z0-9-]+)'\s*\n(?:.*\n)*?\s*query: '((?:[^'\\]|\\.)*)'")]
    private static partial Regex AlertEntry();

    [GeneratedRegex(@"name == ""([^""]+)""")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"message (startswith|has|contains|==) ""([^""]+)""")]
    private static partial Regex MessageClause();
}
