namespace Payments.Benchmarks.Reconciliation;

/// <summary>A clock stopped at one instant: seeds a ledger row as if it had been written then.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
