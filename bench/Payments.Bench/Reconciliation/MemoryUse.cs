namespace Payments.Benchmarks.Reconciliation;

/// <summary>What one phase did to the managed heap, and the highest working set the process had during it.</summary>
public sealed record MemoryUse(long PeakHeapGrowthBytes, long RetainedBytes, long AllocatedBytes, int Gen2Collections, long ProcessPeakWorkingSetBytes, long PhasePeakWorkingSetBytes);
