using System.Net;
using System.Net.Sockets;

namespace Payments.DevKit;

/// <summary>
/// Ports for servers that must be named before they start (Azurite, a local host the simulator calls
/// back). They come from below the kernel's ephemeral range (32768+ on Linux): a port picked there,
/// released, then bound a moment later could meanwhile be handed to any socket bound to port 0.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Count = 12000;
    private static int next = First + Random.Shared.Next(Count);

    public static int Next()
    {
        for (var tries = 0; tries < Count; tries++)
        {
            var port = First + (Interlocked.Increment(ref next) - First) % Count;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try the next one.
            }
        }
        throw new InvalidOperationException("No free port below the ephemeral range.");
    }

    public static async Task<bool> IsListeningAsync(int port)
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

    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await IsListeningAsync(port))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within {timeout}.");
            }
            await Task.Delay(100);
        }
    }
}
