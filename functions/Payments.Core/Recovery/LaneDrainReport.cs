namespace Payments.Recovery;

/// <summary>What one drain of the retry lane did.</summary>
public sealed record LaneDrainReport(int Applied, int Retried, int DeadLettered);
