namespace Payments.Demo.Reporting;

/// <summary>The faults the decorators injected (counted in this process), with the seed that replays them.</summary>
public sealed record InjectedFaults(int? Seed, IReadOnlyList<(string Kind, long Count)> Counts);
