using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Payments.Contracts;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class TraceFixture : PipelineFixture
{
    public List<Activity> Spans { get; } = [];
    public TracerProvider Tracer { get; }

    public TraceFixture() =>
        Tracer = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.TraceSources).AddInMemoryExporter(Spans).Build();

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("traces");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Tracer.Dispose();
    }
}

/// <summary>
/// One trace per callback: intake's span, the inbox insert and the dispatch under it, and the Durable
/// Task SDK's spans of the saga it raised the event to, exported with the pipeline's own.
/// </summary>
public sealed class PipelineTraceTests(TraceFixture fixture) : IClassFixture<TraceFixture>
{
    [Fact]
    public async Task A_callback_s_intake_inbox_and_dispatch_spans_share_one_trace_with_the_saga_s_durable_spans()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-trace", 1);
        var order = await pipeline.RegisterOrderAsync("trace-1", sku: "sku-trace");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        using var reply = await pipeline.Http.SendAsync(TestWebhooks.Standard(pipeline.Host.BaseAddress, "evt-trace-1",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor)));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        fixture.Tracer.ForceFlush();

        Activity[] spans;
        lock (fixture.Spans)
        {
            spans = [.. fixture.Spans];
        }
        var intake = Assert.Single(spans, s => s.DisplayName == PipelineTrace.Intake && (string?)s.GetTagItem(PipelineTrace.EventIdTag) == "evt-trace-1");
        var trace = spans.Where(s => s.TraceId == intake.TraceId).ToArray();
        Assert.Equal("applied", intake.GetTagItem(PipelineTrace.OutcomeTag));
        Assert.Contains(trace, s => s.DisplayName == PipelineTrace.InboxAdd && s.ParentSpanId == intake.SpanId);
        var dispatch = Assert.Single(trace, s => s.DisplayName == PipelineTrace.Dispatch);
        Assert.Equal((order.OrderId, "Raised"), ((string?)dispatch.GetTagItem(PipelineTrace.OrderIdTag), (string?)dispatch.GetTagItem(PipelineTrace.OutcomeTag)));
        Assert.Contains(trace, s => s.Source.Name == PipelineTrace.DurableTaskSourceName);
    }

    [Fact]
    public void Exporters_are_added_only_for_what_the_configuration_names_and_the_identity_comes_from_the_authentication_setting()
    {
        Assert.Equal("0f1e", PipelineTelemetry.ManagedIdentityClientId("ClientId=0f1e;Authorization=AAD"));
        Assert.Null(PipelineTelemetry.ManagedIdentityClientId("Authorization=AAD"));
        Assert.Null(PipelineTelemetry.ManagedIdentityClientId(null));

        static int Exporters(Dictionary<string, string?> settings)
        {
            var services = new ServiceCollection();
            services.AddPipelineTelemetry(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            return services.Count(d => (d.ImplementationType ?? d.ImplementationInstance?.GetType())?.FullName?.Contains("Exporter", StringComparison.Ordinal) == true
                || d.ServiceType.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true
                || d.ServiceType.FullName?.Contains("Otlp", StringComparison.Ordinal) == true);
        }
        Assert.Equal(0, Exporters([]));
        Assert.NotEqual(0, Exporters(new() { [PipelineTelemetry.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/" }));
        Assert.NotEqual(0, Exporters(new() { [PipelineTelemetry.OtlpEndpointSetting] = "http://127.0.0.1:4318/" }));
    }
}
