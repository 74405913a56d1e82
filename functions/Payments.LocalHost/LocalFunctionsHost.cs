using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Payments.Faults;
using Payments.Functions;
using Payments.Hosting;
using Payments.Saga;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Payments.LocalHost;

/// <summary>
/// Runs the Functions app's own function methods without Functions Core Tools: HTTP functions on
/// Kestrel, orchestrators and activities on a Durable Task worker, timers on their schedules.
/// </summary>
public sealed class LocalFunctionsHost : IAsyncDisposable
{
    private const string RoutePrefix = "api";
    private readonly WebApplication app;
    private readonly DurableSidecar sidecar;
    private readonly GrpcChannel channel;
    private readonly TimeSpan stopBound;

    private LocalFunctionsHost(WebApplication app, DurableSidecar sidecar, GrpcChannel channel, TimeSpan stopBound)
    {
        this.app = app;
        this.sidecar = sidecar;
        this.channel = channel;
        this.stopBound = stopBound;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => app.Services;

    public DurableTaskClient Durable => app.Services.GetRequiredService<DurableTaskClient>();

    public static async Task<LocalFunctionsHost> StartAsync(IConfiguration configuration, Action<IServiceCollection>? configureServices = null, CancellationToken ct = default)
    {
        var options = configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>() ?? new LocalHostOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        var functions = FunctionCatalog.Discover(typeof(CallbackFunctions).Assembly);
        foreach (var function in functions)
        {
            FunctionInvoker.EnsureBindable(function);
        }

        var loggerFactory = LoggerFactory.Create(logging =>
        {
            logging
                .AddConfiguration(configuration.GetSection("Logging"))
                .AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss.fff "; });
            AddLogExport(logging, configuration, options);
        });
        var sidecar = await DurableSidecar.StartAsync(
            configuration["AzureWebJobsStorage"] ?? throw new InvalidOperationException("The setting 'AzureWebJobsStorage' is required."),
            configuration["DurableTaskHubName"] ?? throw new InvalidOperationException("The setting 'DurableTaskHubName' is required."),
            options, loggerFactory, ct);
        var channel = GrpcChannel.ForAddress(sidecar.Address);
        try
        {
            return await StartAppAsync(configuration, configureServices, options, functions, loggerFactory, sidecar, channel, ct);
        }
        catch
        {
            // A host that fails to start (say, a missing secret) must not leave its Durable backend running.
            channel.Dispose();
            await sidecar.DisposeAsync();
            throw;
        }
    }

    private static async Task<LocalFunctionsHost> StartAppAsync(
        IConfiguration configuration,
        Action<IServiceCollection>? configureServices,
        LocalHostOptions options,
        IReadOnlyList<FunctionEntry> functions,
        ILoggerFactory loggerFactory,
        DurableSidecar sidecar,
        GrpcChannel channel,
        CancellationToken ct)
    {

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        // The sidecar's gRPC server streams no history: the console reads it from the backend (before the core's default).
        builder.Services.AddSingleton<Payments.Operations.IOrchestrationHistory>(new BackendHistory(sidecar.Backend));
        AddPipelineServices(builder.Services, builder.Configuration);
        var telemetry = builder.Services.AddPipelineTelemetry(builder.Configuration);
        if (options.ConsoleTelemetry)
        {
            telemetry.WithTracing(t => t.AddConsoleExporter()).WithMetrics(m => m.AddConsoleExporter());
        }
        var sagaVersion = SagaVersionOf(configuration);
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(channel);
            client.UseDefaultVersion(sagaVersion);
            client.RegisterDirectly();
        });
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(channel);
            worker.UseVersioning(WorkerVersioning(sagaVersion));
            worker.AddTasks(registry => RegisterDurableFunctions(registry, functions));
            worker.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = options.MaxConcurrentActivities;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = options.MaxConcurrentOrchestrations;
            });
        });
        if (options.RunTimers)
        {
            builder.Services.AddHostedService(sp => new TimerScheduler(
                functions.Where(f => f.Trigger == TriggerKind.Timer), sp, sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<ILogger<TimerScheduler>>()));
        }
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        foreach (var function in functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            MapHttpFunction(app, function);
        }
        await app.StartAsync(ct);
        return new LocalFunctionsHost(app, sidecar, channel, TimeSpan.FromSeconds(options.StopSeconds));
    }

    /// <summary>
    /// The local host's logs go through its own logger factory (the Durable sidecar needs one before
    /// the app exists), so they reach OpenTelemetry here rather than through the app's services.
    /// </summary>
    private static void AddLogExport(ILoggingBuilder logging, IConfiguration configuration, LocalHostOptions options)
    {
        var otlp = configuration[PipelineTelemetry.OtlpEndpointSetting];
        if (string.IsNullOrWhiteSpace(otlp) && !options.ConsoleTelemetry)
        {
            return;
        }
        logging.AddOpenTelemetry(o =>
        {
            PipelineTelemetry.ConfigureLogs(o);
            o.SetResourceBuilder(OpenTelemetry.Resources.ResourceBuilder.CreateDefault().AddService(PipelineTelemetry.ServiceName));
            if (!string.IsNullOrWhiteSpace(otlp))
            {
                o.AddOtlpExporter(e =>
                {
                    e.Endpoint = new Uri(new Uri(otlp), "v1/logs");
                    e.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
                });
            }
            if (options.ConsoleTelemetry)
            {
                o.AddConsoleExporter();
            }
        });
    }

    /// <summary>
    /// What host.json's <c>defaultVersion</c> (set from <c>Saga__Version</c>, see infra/main.bicep),
    /// <c>versionMatchStrategy</c> and <c>versionFailureStrategy</c> give the Functions host: new
    /// orchestrations are stamped with the deployment's saga version; a worker runs instances of its
    /// version or older, and leaves a newer one untouched (Reject) for a worker that knows its steps.
    /// </summary>
    internal static DurableTaskWorkerOptions.VersioningOptions WorkerVersioning(string sagaVersion) => new()
    {
        Version = sagaVersion,
        DefaultVersion = sagaVersion,
        MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
        FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
    };

    /// <summary>The configured saga version; a bad one (or any bad saga setting) stops start-up in the options' own validation.</summary>
    private static string SagaVersionOf(IConfiguration configuration) =>
        (configuration.GetSection(SagaOptions.Section).Get<SagaOptions>() ?? new SagaOptions()).Version;

    /// <summary>
    /// The pipeline as the Functions app composes it, plus fault decorators when the configuration
    /// has a <c>Faults</c> section (demos and chaos runs); without one, exactly the production services.
    /// </summary>
    public static IServiceCollection AddPipelineServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddPaymentsCore(configuration);
        if (configuration.GetSection(FaultOptions.Section).Exists())
        {
            services.AddFaultInjection(configuration);
        }
        return services;
    }

    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    /// <summary>
    /// Stops the functions, then the Durable backend, each within <c>LocalHost:StopSeconds</c>. Callers
    /// that own the storage stop it after this returns: the provider's leases are released by then.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        using (var bound = new CancellationTokenSource(stopBound))
        {
            await app.StopAsync(bound.Token);
        }
        await app.DisposeAsync();
        await channel.ShutdownAsync();
        channel.Dispose();
        await sidecar.DisposeAsync();
    }

    private static void RegisterDurableFunctions(Microsoft.DurableTask.DurableTaskRegistry registry, IEnumerable<FunctionEntry> functions)
    {
        foreach (var function in functions)
        {
            if (function.Trigger == TriggerKind.Orchestration)
            {
                if (!function.Method.IsStatic)
                {
                    throw new InvalidOperationException($"Orchestrator {function.Name} must be static: it may hold no state between replays.");
                }
                var orchestrator = new FunctionOrchestrator(function);
                registry.AddOrchestrator(function.Name, () => orchestrator);
            }
            else if (function.Trigger == TriggerKind.Activity)
            {
                registry.AddActivity(function.Name, sp => new FunctionActivity(function, sp));
            }
        }
    }

    private static void MapHttpFunction(WebApplication app, FunctionEntry function)
    {
        var trigger = function.Http;
        var methods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();
        app.MapMethods($"/{RoutePrefix}/{trigger.Route ?? function.Name}", methods, async (HttpContext http) =>
        {
            var result = await FunctionInvoker.InvokeAsync(function, http.RequestServices, http, http.Request, http.RequestAborted);
            switch (result)
            {
                case IActionResult action:
                    await action.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
                    break;
                case IResult minimal:
                    await minimal.ExecuteAsync(http);
                    break;
                default:
                    throw new InvalidOperationException($"Function {function.Name} returned {result?.GetType().Name ?? "null"}, not an HTTP result.");
            }
        });
    }
}
