namespace Payments.Recovery;

/// <summary>
/// What one drain of the retry lane did. <see cref="Abandoned"/>: handed back unworked because storage
/// or the transport was down; <see cref="LocksLost"/>: the transport took a message back before it
/// was settled (it is delivered again, nothing failed).
/// </summary>
public sealed record LaneDrainReport(int Applied, int Retried, int DeadLettered, int Abandoned = 0, int LocksLost = 0);
