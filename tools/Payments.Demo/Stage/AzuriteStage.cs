using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Payments.Demo.Stage;

/// <summary>
/// The storage emulator for a run: an Azurite already listening on the default ports is used as
/// it is; otherwise one is started from the repository's npm install, in memory, on free ports,
/// and stopped again when the run ends.
/// </summary>
public sealed class AzuriteStage : IAsyncDisposable
{
    /// <summary>Azurite's published development account key; not a secret.</summary>
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly int[] DefaultPorts = [10000, 10001, 10002];

    private readonly Process? process;

    private AzuriteStage(string connectionString, Process? process, string description)
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
        var listening = await Task.WhenAll(DefaultPorts.Select(IsListeningAsync));
        if (!own && listening.All(l => l))
        {
            return new AzuriteStage("UseDevelopmentStorage=true", null, "the Azurite already listening on 127.0.0.1:10000-10002");
        }

        var executable = Path.Combine(repoRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException("Azurite is not installed: run 'npm ci' in the repository root (./tools/demo.sh does).");
        }
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var stage = new AzuriteStage(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevelopmentKey + ";"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;",
            process,
            $"an in-memory Azurite started for this run (blob {blob}, queue {queue}, table {table})");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            foreach (var port in new[] { blob, queue, table })
            {
                while (!await IsListeningAsync(port))
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening.");
                    }
                    await Task.Delay(100, timeout.Token);
                }
            }
        }
        catch
        {
            await stage.DisposeAsync();
            throw;
        }
        return stage;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is null)
        {
            return;
        }
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
