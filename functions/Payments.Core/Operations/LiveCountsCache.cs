namespace Payments.Operations;

/// <summary>
/// The console's live counts, read at most once per <see cref="MaxAge"/> however many tabs poll
/// (each every few seconds): one read in flight at a time, its answer shared by every request until
/// it is that old. The counts read the order table's status column, which grows with history, so
/// they are read on this clock, not on the operators'; <see cref="LiveCounts.At"/> says when.
/// </summary>
public sealed class LiveCountsCache(OperatorWork work, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly Lock gate = new();
    private Task<LiveCounts>? latest;
    private DateTimeOffset latestAt;

    /// <summary>Storage reads made since start (for tests and the bench): each is one refresh of every tab's counts.</summary>
    public int Reads { get; private set; }

    public Task<LiveCounts> GetAsync(CancellationToken ct = default)
    {
        lock (gate)
        {
            var stale = latest is null || latest.IsFaulted || latest.IsCanceled || (latest.IsCompletedSuccessfully && clock.GetUtcNow() - latestAt >= MaxAge);
            if (stale)
            {
                latestAt = clock.GetUtcNow();
                Reads++;
                // Not the caller's token: the read is shared, and one tab closing must not cancel it for the others.
                latest = work.CountAsync(CancellationToken.None);
            }
            return latest!.WaitAsync(ct);
        }
    }
}
