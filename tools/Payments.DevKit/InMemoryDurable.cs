using System.Net;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payments.DevKit;

/// <summary>
/// Durable Task's in-memory engine (the real orchestration engine, no storage) behind the same gRPC
/// sidecar and worker wiring the local host uses for Azure Storage, with a work-item concurrency of
/// our choosing: the shipped <c>DurableTaskTestHost</c> fixes it at the core count and, when full,
/// looks for work again only every 500 ms. Shared by the fast saga tests and the benchmarks.
/// </summary>
public sealed class InMemoryDurable : IAsyncDisposable
{
    private readonly IHost worker;
    private readonly GrpcChannel channel;
    private readonly WebApplication sidecar;

    private InMemoryDurable(IHost worker, GrpcChannel channel, WebApplication sidecar)
    {
        this.worker = worker;
        this.channel = channel;
        this.sidecar = sidecar;
    }

    /// <summary>The worker's services: what <paramref name="services"/> of <see cref="StartAsync"/> registered, and the Durable client.</summary>
    public IServiceProvider Services => worker.Services;

    public DurableTaskClient Client => worker.Services.GetRequiredService<DurableTaskClient>();

    /// <param name="register">The orchestrators and activities the worker runs.</param>
    /// <param name="concurrency">Orchestration and activity work items in flight at once, in the engine and in the worker.</param>
    /// <param name="services">Services the activities resolve.</param>
    /// <param name="loggerFactory">Where the engine, sidecar and worker log; nowhere when null.</param>
    public static async Task<InMemoryDurable> StartAsync(
        Action<DurableTaskRegistry> register,
        int concurrency,
        Action<IServiceCollection>? services = null,
        ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var service = new InMemoryOrchestrationService(loggerFactory);
        var sidecarBuilder = WebApplication.CreateSlimBuilder();
        sidecarBuilder.Logging.ClearProviders();
        sidecarBuilder.Services.AddSingleton(loggerFactory);
        sidecarBuilder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        sidecarBuilder.Services.AddGrpc();
        sidecarBuilder.Services.AddSingleton<IOrchestrationService>(new ConcurrencyOverride(service, concurrency));
        sidecarBuilder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        sidecarBuilder.Services.AddSingleton<TaskHubGrpcServer>();
        var sidecar = sidecarBuilder.Build();
        sidecar.MapGrpcService<TaskHubGrpcServer>();
        await sidecar.StartAsync();
        var channel = GrpcChannel.ForAddress(sidecar.Urls.First());

        var workerBuilder = Host.CreateApplicationBuilder();
        workerBuilder.Logging.ClearProviders();
        workerBuilder.Services.AddSingleton(loggerFactory);
        services?.Invoke(workerBuilder.Services);
        workerBuilder.Services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(channel);
            builder.AddTasks(register);
            builder.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = concurrency;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = concurrency;
            });
        });
        workerBuilder.Services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc(channel);
            builder.RegisterDirectly();
        });
        var worker = workerBuilder.Build();
        await worker.StartAsync();
        return new InMemoryDurable(worker, channel, sidecar);
    }

    public async ValueTask DisposeAsync()
    {
        await worker.StopAsync();
        worker.Dispose();
        await channel.ShutdownAsync();
        channel.Dispose();
        await sidecar.StopAsync();
        await sidecar.DisposeAsync();
    }
}
