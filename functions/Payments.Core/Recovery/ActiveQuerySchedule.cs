using Payments.Ledger;

namespace Payments.Recovery;

/// <summary>
/// When an order still awaiting payment is due for its next active query: the first once it has
/// waited <see cref="ReconcilerOptions.ActiveQueryAfterSeconds"/>, then at doubling intervals from the
/// last one (the same again, twice, four times…) up to
/// <see cref="ReconcilerOptions.ActiveQueryMaxIntervalSeconds"/>. Most orders that wait long are
/// abandoned, not lost: spacing their queries keeps the gateway calls a few per order over a whole
/// payment window, where a query every run made one per run, so the first query can come early.
/// </summary>
public static class ActiveQuerySchedule
{
    public static bool IsDue(OrderRecord order, DateTimeOffset now, ReconcilerOptions options)
    {
        if (now - order.RegisteredAt < TimeSpan.FromSeconds(options.ActiveQueryAfterSeconds))
        {
            return false;
        }
        return order.LastQueryAt is not { } last || now - last >= IntervalAfter(order.ActiveQueries, options);
    }

    /// <summary>The wait after the <paramref name="queriesSoFar"/>-th query before the next one.</summary>
    public static TimeSpan IntervalAfter(int queriesSoFar, ReconcilerOptions options)
    {
        // Past 2^20 × the first wait every setting the options allow is at the cap.
        var doublings = Math.Clamp(queriesSoFar - 1, 0, 20);
        var seconds = Math.Min(options.ActiveQueryAfterSeconds * Math.Pow(2, doublings), options.ActiveQueryMaxIntervalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
