namespace Payments.Benchmarks.Infrastructure;

/// <summary>CPU used by Azurite and by this process over a phase, in cores (1.0 = one core busy the whole time).</summary>
public sealed record CpuUse(double AzuriteCores, double BenchCores, double MachineBusyCores, double StealCores);
