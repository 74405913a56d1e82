namespace Payments.Benchmarks.Reconciliation;

/// <summary>What one phase did to the managed heap.</summary>
public sealed record MemoryUse(long PeakHeapGrowthBytes, long RetainedBytes, long AllocatedBytes, int Gen2Collections, long ProcessPeakWorkingSetBytes);
