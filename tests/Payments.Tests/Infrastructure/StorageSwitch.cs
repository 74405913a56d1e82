using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of Azurite's table endpoint that a test can switch off for a while: every open
/// connection is reset and every new one refused-by-reset until the outage ends, as a storage account
/// that is unreachable looks to its clients. Only the pipeline's own tables go through it; the Durable
/// engine keeps its storage, so the saga lives through the outage and retries.
/// </summary>
public sealed class StorageSwitch : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly int targetPort;
    private long downUntil;
    private Task? accepting;

    private StorageSwitch(int targetPort) => this.targetPort = targetPort;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>A storage connection string whose tables go through the switch, blobs and queues straight to Azurite.</summary>
    public string ConnectionString(DevKit.AzuriteProcess azurite) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Azurite.AccountKey};"
        + $"BlobEndpoint=http://127.0.0.1:{azurite.BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{azurite.QueuePort}/devstoreaccount1;"
        + $"TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static StorageSwitch Start(int targetPort)
    {
        var relay = new StorageSwitch(targetPort);
        relay.listener.Start();
        relay.accepting = relay.AcceptAsync();
        return relay;
    }

    /// <summary>Storage unreachable from now for <paramref name="outage"/>: open connections reset, new ones too.</summary>
    public void CutFor(TimeSpan outage)
    {
        Interlocked.Exchange(ref downUntil, Stopwatch.GetTimestamp() + (long)(outage.TotalSeconds * Stopwatch.Frequency));
        foreach (var socket in open.Keys)
        {
            Reset(socket);
        }
    }

    private bool Down => Stopwatch.GetTimestamp() < Interlocked.Read(ref downUntil);

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (Down)
            {
                Reset(client);
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        open[client] = 0;
        open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, targetPort, stopping.Token);
            await using var fromClient = new NetworkStream(client, ownsSocket: false);
            await using var fromStorage = new NetworkStream(upstream, ownsSocket: false);
            await Task.WhenAny(fromClient.CopyToAsync(fromStorage, stopping.Token), fromStorage.CopyToAsync(fromClient, stopping.Token));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A reset by the switch, or either side closing: the relay of this connection is over.
        }
        finally
        {
            open.TryRemove(client, out _);
            open.TryRemove(upstream, out _);
            Reset(client);
            Reset(upstream);
        }
    }

    /// <summary>Closes with a reset (linger 0), as a dropped connection looks to the client.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        if (accepting is not null)
        {
            await accepting;
        }
        foreach (var socket in open.Keys)
        {
            Reset(socket);
        }
        stopping.Dispose();
    }
}
