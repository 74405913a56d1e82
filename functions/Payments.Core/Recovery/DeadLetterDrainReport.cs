namespace Payments.Recovery;

/// <summary>What one pass over the dead letters did.</summary>
public sealed record DeadLetterDrainReport(int Redriven, int Parked);
