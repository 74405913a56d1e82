using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Payments.Contracts;
using Payments.Recovery;

namespace Payments.Hosting;

/// <summary>
/// The pipeline's OpenTelemetry: its own spans joined with the Durable Task SDK's and outbound HTTP
/// (gateway calls), its meter, and its logs; exported to Azure Monitor when Application Insights is
/// configured, to an OTLP collector when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and nowhere
/// otherwise (tests and local runs never reach a telemetry endpoint unless told to).
/// </summary>
public static class PipelineTelemetry
{
    public const string ServiceName = "payments-pipeline";
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// <c>ClientId={id};Authorization=AAD</c>, set by infra/modules/functionapp.bicep: the Application
    /// Insights component has local (key) authentication disabled, so the exporter signs in with the
    /// app's user-assigned identity, as the Functions host does with the same setting.
    /// </summary>
    public const string AuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The OpenTelemetry SDK's standard setting; the OTLP exporter reads its siblings (protocol, headers) itself.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Outbound HTTP: .NET's HttpClient emits its own spans under this name (gateway calls, Stripe.net's too).</summary>
    public const string HttpClientSourceName = "System.Net.Http";

    /// <summary>The Functions app's telemetry: traces, metrics and logs, with the exporters the configuration names.</summary>
    public static OpenTelemetryBuilder AddPipelineTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(t => t.AddSource(TraceSources))
            .WithMetrics(m => m.AddMeter(MeterNames))
            .WithLogging(configureBuilder: null, configureOptions: ConfigureLogs);
        if (!string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]))
        {
            telemetry.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = configuration[ConnectionStringSetting];
                // Unsampled: the alerts and the operators' audit read individual log lines ("Parked … for
                // order …", "Operator audit: …"), which the exporter's default rate-limited sampling and its
                // trace-based log sampler would drop with their trace.
                o.TracesPerSecond = null;
                o.SamplingRatio = 1.0F;
                o.EnableTraceBasedLogsSampler = false;
                if (ManagedIdentityClientId(configuration[AuthenticationSetting]) is { } clientId)
                {
                    o.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]))
        {
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf, new Uri(configuration[OtlpEndpointSetting]!));
        }
        return telemetry;
    }

    /// <summary>
    /// How log records are exported, by every host and by the test that checks the alerts: with the
    /// rendered message, which the log alerts match (Application Insights' <c>traces.message</c>).
    /// </summary>
    public static void ConfigureLogs(OpenTelemetryLoggerOptions options)
    {
        options.IncludeFormattedMessage = true;
        options.ParseStateValues = true;
    }

    /// <summary>Every activity source of one trace through the pipeline.</summary>
    public static readonly string[] TraceSources = [PipelineTrace.SourceName, PipelineTrace.DurableTaskSourceName, HttpClientSourceName];

    /// <summary>Every meter the alerts and the demo's report read.</summary>
    public static readonly string[] MeterNames = [PipelineMetrics.MeterName];

    /// <summary>The client id in <c>ClientId=…;Authorization=AAD</c>, or null when the setting names none.</summary>
    public static string? ManagedIdentityClientId(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }
        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        return parts.TryGetValue("Authorization", out var kind) && kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)
            && parts.TryGetValue("ClientId", out var id) && id.Length > 0 ? id : null;
    }
}
