namespace Payments.Recovery;

/// <summary>
/// What one drain of the retry lane did. <see cref="Abandoned"/>: handed back unworked because storage
/// or the transport was down; <see cref="LocksLost"/>: the transport took a message back before it
/// was settled (it is delivered again, nothing failed); <see cref="BudgetSpent"/>: the drain stopped
/// at its time budget with messages still due (the backlog outgrew one drain: scale-out starts).
/// </summary>
public sealed record LaneDrainReport(int Applied, int Retried, int DeadLettered, int Abandoned = 0, int LocksLost = 0, bool BudgetSpent = false)
{
    public int Settled => Applied + Retried + DeadLettered;

    public static LaneDrainReport Sum(IEnumerable<LaneDrainReport> reports) => reports.Aggregate(new LaneDrainReport(0, 0, 0), (a, b) => new LaneDrainReport(
        a.Applied + b.Applied, a.Retried + b.Retried, a.DeadLettered + b.DeadLettered, a.Abandoned + b.Abandoned, a.LocksLost + b.LocksLost, a.BudgetSpent || b.BudgetSpent));
}
