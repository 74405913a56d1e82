using GatewaySimulator;
using Payments.LocalHost;

namespace Payments.Benchmarks.Infrastructure;

/// <summary>
/// What every benchmark shares: one in-memory Azurite, one gateway simulator, and a way to start
/// the local host (the real function methods on Kestrel + Durable on Azure Storage) on them, each
/// start in its own tables and task hub so runs never see each other's rows.
/// </summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private int hostCount;

    private BenchEnvironment(string repoRoot, AzuriteProcess azurite, SimulatorServer gateway)
    {
        RepoRoot = repoRoot;
        Azurite = azurite;
        Gateway = gateway;
    }

    public string RepoRoot { get; }

    public AzuriteProcess Azurite { get; }

    /// <summary>Loses every webhook (LossRate 1): the bench posts callbacks itself, and recovery runs need them lost.</summary>
    public SimulatorServer Gateway { get; }

    public static async Task<BenchEnvironment> StartAsync(string repoRoot)
    {
        var azurite = await AzuriteProcess.StartAsync(repoRoot);
        try
        {
            var gateway = await SimulatorServer.StartAsync(new SimulatorOptions
            {
                // Nothing listens there: every webhook is dropped before delivery anyway.
                CallbackBaseUrl = "http://127.0.0.1:9",
                LossRate = 1.0,
                RetrySchedule = [],
            });
            return new BenchEnvironment(repoRoot, azurite, gateway);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh table prefix / task hub name: letters and digits only, as both services require.</summary>
    public string NewPrefix(string name) => $"b{name}{Interlocked.Increment(ref hostCount)}";

    /// <summary>Settings for a local host, starting from the committed local.settings.json like <c>func start</c>.</summary>
    public Dictionary<string, string?> HostSettings(string prefix, int port) => new(Gateway.ConnectorSettings())
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionString,
        ["PaymentsStorage:ConnectionString"] = Azurite.ConnectionString,
        ["PaymentsStorage:NamePrefix"] = prefix,
        ["DurableTaskHubName"] = prefix + "hub",
        ["Intake:StandardSecrets"] = SignedCallbacks.Secret,
        ["LocalHost:Port"] = port.ToString(),
        ["LocalHost:RunTimers"] = "false",
        ["LocalHost:MaxQueuePollingMs"] = "250",
        ["Saga:PaymentWindowSeconds"] = "600",
        ["Saga:ActivityBackoffSeconds"] = "1",
        ["Saga:PointsBackoffSeconds"] = "1",
        // Console logging on every request would itself be the bottleneck; warnings and errors still show.
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public async Task<LocalFunctionsHost> StartHostAsync(string prefix, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = HostSettings(prefix, FreePort.Next());
        configure?.Invoke(settings);
        var configuration = LocalSettings.Build([], Path.Combine(RepoRoot, "local.settings.json"), settings);
        return await LocalFunctionsHost.StartAsync(configuration);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
