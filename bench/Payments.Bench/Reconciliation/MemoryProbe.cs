using System.Diagnostics;

namespace Payments.Benchmarks.Reconciliation;

/// <summary>
/// Measures a phase's memory from a collected baseline: the managed heap's peak above it (sampled
/// every 10 ms), what stays reachable after, and what was allocated. A streaming phase shows a peak
/// bounded by GC budgets, not by its input size.
/// </summary>
public static class MemoryProbe
{
    public static async Task<(T Result, MemoryUse Memory)> MeasureAsync<T>(Func<Task<T>> phase)
    {
        var baseline = Collected();
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var gen2 = GC.CollectionCount(2);
        var peak = baseline;
        var workingSet = Environment.WorkingSet;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                workingSet = Math.Max(workingSet, Environment.WorkingSet);
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        T result;
        try
        {
            result = await phase();
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        var gen2Collections = GC.CollectionCount(2) - gen2;
        var retained = Collected() - baseline;
        using var self = Process.GetCurrentProcess();
        return (result, new MemoryUse(peak - baseline, retained, allocated, gen2Collections, self.PeakWorkingSet64, workingSet));
    }

    private static long Collected()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
