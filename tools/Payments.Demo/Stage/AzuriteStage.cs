namespace Payments.Demo.Stage;

/// <summary>
/// The storage emulator for a run: an Azurite already listening on the default ports is used as
/// it is; otherwise one is started from the repository's npm install, in memory, on free ports,
/// and stopped again when the run ends.
/// </summary>
public sealed class AzuriteStage : IAsyncDisposable
{
    private static readonly int[] DefaultPorts = [10000, 10001, 10002];

    private readonly AzuriteProcess? process;

    private AzuriteStage(string connectionString, AzuriteProcess? process, string description)
    {
        ConnectionString = connectionString;
        this.process = process;
        Description = description;
    }

    public string ConnectionString { get; }

    /// <summary>Where storage came from, for the run's header.</summary>
    public string Description { get; }

    public static async Task<AzuriteStage> StartOrAttachAsync(string repoRoot, bool own = false, CancellationToken ct = default)
    {
        var listening = await Task.WhenAll(DefaultPorts.Select(FreePort.IsListeningAsync));
        if (!own && listening.All(l => l))
        {
            return new AzuriteStage("UseDevelopmentStorage=true", null, "the Azurite already listening on 127.0.0.1:10000-10002");
        }

        var azurite = await AzuriteProcess.StartAsync(repoRoot).WaitAsync(ct);
        return new AzuriteStage(azurite.ConnectionString, azurite,
            $"an in-memory Azurite started for this run (blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort})");
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            await process.DisposeAsync();
        }
    }
}
