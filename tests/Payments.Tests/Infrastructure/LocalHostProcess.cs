using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Payments.Saga;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// The local host as a separate OS process, so a test can SIGKILL it mid-saga and start it again,
/// or freeze it (SIGSTOP) and let it wake up (SIGCONT) long after its work moved on.
/// </summary>
public sealed class LocalHostProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private LocalHostProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<LocalHostProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, int port)
    {
        var directory = RepoPaths.BuildOutput("Payments.LocalHost");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "Payments.LocalHost.dll"));
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var host = new LocalHostProcess(Process.Start(start) ?? throw new InvalidOperationException("Local host did not start."));
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60));
        return host;
    }

    /// <summary>
    /// Polls <c>GET /api/orders/{orderId}</c> on this host until the order view satisfies
    /// <paramref name="done"/>; the timeout names the order and carries the host's output.
    /// </summary>
    public async Task<OrderView> WaitForOrderAsync(HttpClient http, string orderId, Func<OrderView, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            using var reply = await http.GetAsync($"api/orders/{orderId}");
            if (reply.IsSuccessStatusCode && await reply.Content.ReadFromJsonAsync<OrderView>(JsonSerializerOptions.Web) is { } view && done(view))
            {
                return view;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Order {orderId} did not get there. Host output:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no lease release, no flush; exactly what a crash looks like.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>SIGSTOP: the process holds its sockets, leases and dequeued work but runs nothing, like a frozen VM or a very long GC pause.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT: the frozen process carries on from where it stopped, with its stale work.</summary>
    public void Resume() => Signal("CONT");

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Kill();
        }
        process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {process.Id} exited with {kill.ExitCode}.");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
