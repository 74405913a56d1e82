using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Gateway;
using Payments.Hosting;
using Payments.Storage;

namespace Payments.Demo.Driving;

/// <summary>
/// What a driver outside the pipeline holds: the pipeline's HTTP front door (the order service and
/// operators use it), the gateway simulator, and read access to the pipeline's storage, gateway
/// port and Durable backend for watching and checking. The host may be in this process or another.
/// </summary>
public sealed class PipelineAccess : IAsyncDisposable
{
    private readonly ServiceProvider core;

    private PipelineAccess(ServiceProvider core, Uri pipelineAddress, SimulatorServer gateway, DurableTaskClient durable)
    {
        this.core = core;
        Gateway = gateway;
        Durable = durable;
        Pipeline = new HttpClient { BaseAddress = pipelineAddress, Timeout = TimeSpan.FromSeconds(30) };
        GatewayApi = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Storage = core.GetRequiredService<PaymentsStorage>();
        GatewayPort = core.GetRequiredService<IPaymentGateway>();
    }

    /// <summary>The pipeline's HTTP functions (<c>api/…</c>).</summary>
    public HttpClient Pipeline { get; }

    public SimulatorServer Gateway { get; }

    /// <summary>The simulator's merchant API (<c>v1/…</c>), where the order service creates payments.</summary>
    public HttpClient GatewayApi { get; }

    public PaymentsStorage Storage { get; }

    /// <summary>The core's own gateway adapter (with its resilience handler), for reading statements.</summary>
    public IPaymentGateway GatewayPort { get; }

    public DurableTaskClient Durable { get; }

    /// <param name="configuration">The host's settings: storage and gateway sections are read from them, so both sides see the same tables.</param>
    public static PipelineAccess Create(IConfiguration configuration, Uri pipelineAddress, SimulatorServer gateway, DurableTaskClient durable)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPaymentsCore(configuration);
        return new PipelineAccess(services.BuildServiceProvider(), pipelineAddress, gateway, durable);
    }

    public async ValueTask DisposeAsync()
    {
        Pipeline.Dispose();
        GatewayApi.Dispose();
        await core.DisposeAsync();
    }
}
