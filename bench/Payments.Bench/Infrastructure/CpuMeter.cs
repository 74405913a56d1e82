using System.Diagnostics;

namespace Payments.Benchmarks.Infrastructure;

/// <summary>
/// Where the CPU went during a phase: Azurite is one Node.js process whose request handling runs on
/// a single thread, so Azurite near 1.0 core means Azurite is the wall; this process (hosts, Durable
/// worker, load generator, all in one) near the machine's core count means the CPU is. A second
/// Azurite that holds only the Durable task hub, where a suite starts one, is measured on its own.
/// </summary>
public sealed class CpuMeter(int azuriteProcessId, int? durableAzuriteProcessId = null)
{
    public async Task<(T Result, CpuUse Cpu)> MeasureAsync<T>(Func<Task<T>> phase)
    {
        var (azurite0, durable0, self0, machine0, wall) = (TreeCpu(azuriteProcessId), DurableCpu(), SelfCpu(), MachineTicks(), Stopwatch.StartNew());
        var result = await phase();
        var seconds = wall.Elapsed.TotalSeconds;
        var machine1 = MachineTicks();
        return (result, new CpuUse(
            (TreeCpu(azuriteProcessId) - azurite0).TotalSeconds / seconds,
            (SelfCpu() - self0).TotalSeconds / seconds,
            (machine1.Busy - machine0.Busy) / TicksPerSecond / seconds,
            (machine1.Steal - machine0.Steal) / TicksPerSecond / seconds,
            (DurableCpu() - durable0).TotalSeconds / seconds));
    }

    private TimeSpan DurableCpu() => durableAzuriteProcessId is { } pid ? TreeCpu(pid) : TimeSpan.Zero;

    // USER_HZ: /proc/stat counts in 1/100 s on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>Busy (user, nice, system, irq, softirq, steal) and steal ticks of the whole machine; zeros where /proc/stat is missing.</summary>
    private static (double Busy, double Steal) MachineTicks()
    {
        const string stat = "/proc/stat";
        if (!File.Exists(stat))
        {
            return (0, 0);
        }
        var fields = File.ReadLines(stat).First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse).ToArray();
        // user nice system idle iowait irq softirq steal ...
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
        return (busy, fields[7]);
    }

    private static TimeSpan SelfCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static TimeSpan TreeCpu(int rootProcessId)
    {
        // The npm shim may run Azurite as a child of the started process; count the whole tree we started.
        var total = TimeSpan.Zero;
        foreach (var pid in TreeOf(rootProcessId))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                total += process.TotalProcessorTime;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Exited between listing and reading.
            }
        }
        return total;
    }

    private static IEnumerable<int> TreeOf(int root)
    {
        yield return root;
        if (!OperatingSystem.IsLinux())
        {
            yield break;
        }
        var children = Path.Combine("/proc", root.ToString(), "task", root.ToString(), "children");
        if (!File.Exists(children))
        {
            yield break;
        }
        foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var pid in TreeOf(int.Parse(child)))
            {
                yield return pid;
            }
        }
    }
}
