namespace Payments.Recovery;

/// <summary>What one sweep run did: settled (or restarted) and parked, out of the index rows it examined; <paramref name="Left"/> due rows its budget did not reach.</summary>
public sealed record SweepOutcome(int Settled, int Parked, int Examined, int Left);
