namespace Payments.Benchmarks.Infrastructure;

/// <summary>
/// CPU used by Azurite and by this process over a phase, in cores (1.0 = one core busy the whole time);
/// <see cref="DurableAzuriteCores"/> is a second Azurite holding only the Durable task hub, where a suite starts one.
/// </summary>
public sealed record CpuUse(double AzuriteCores, double BenchCores, double MachineBusyCores, double StealCores, double DurableAzuriteCores = 0);
