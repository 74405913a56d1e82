using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Payments.LocalHost;

/// <summary>
/// The Durable backend the Functions host would provide: the Azure Storage provider (the default
/// of Durable Functions) on Azurite, served to the worker over gRPC by the DurableTask sidecar
/// server. State lives in storage, so sagas survive a killed process.
/// </summary>
internal sealed class DurableSidecar : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly GuardedStopService dispatched;
    private readonly TimeSpan stopBound;

    private DurableSidecar(WebApplication app, Uri address, IOrchestrationServiceClient backend, GuardedStopService dispatched, TimeSpan stopBound)
    {
        this.app = app;
        Address = address;
        Backend = backend;
        this.dispatched = dispatched;
        this.stopBound = stopBound;
    }

    public Uri Address { get; }

    /// <summary>The Azure Storage backend itself, for what the gRPC server does not serve (the history).</summary>
    public IOrchestrationServiceClient Backend { get; }

    public static async Task<DurableSidecar> StartAsync(string connectionString, string taskHub, LocalHostOptions options, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        var lease = TimeSpan.FromSeconds(options.LeaseSeconds);
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(options.MaxQueuePollingMs),
            PartitionCount = options.PartitionCount,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}",
            LeaseInterval = lease,
            LeaseRenewInterval = lease / 3,
            LeaseAcquireInterval = lease / 3,
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(options.QueueVisibilitySeconds),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(options.QueueVisibilitySeconds),
            LoggerFactory = loggerFactory,
        });
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.DurableGrpcPort, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        // The dispatchers get the provider behind a guarded stop; queries, purges and history go to it directly.
        var dispatched = new GuardedStopService(service, loggerFactory.CreateLogger<DurableSidecar>());
        builder.Services.AddSingleton<IOrchestrationService>(dispatched);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(ct);
        return new DurableSidecar(app, new Uri(app.Urls.First()), service, dispatched, TimeSpan.FromSeconds(options.StopSeconds));
    }

    /// <summary>
    /// Stops the gRPC server and then waits, within <c>LocalHost:StopSeconds</c>, for the provider to
    /// release its partition leases: the server starts that stop without awaiting it, and whoever
    /// owns the storage may take it away as soon as this returns.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        using (var bound = new CancellationTokenSource(stopBound))
        {
            await app.StopAsync(bound.Token);
        }
        await dispatched.WaitStoppedAsync(stopBound);
        await app.DisposeAsync();
    }
}
