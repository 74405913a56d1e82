using Payments.Gateway;
using Payments.Ledger;

namespace Payments.Recovery;

/// <summary>
/// When an order still awaiting payment is due for its next active query: the first once it has
/// waited <see cref="ReconcilerOptions.ActiveQueryAfterSeconds"/>, then at doubling intervals from the
/// last one (the same again, twice, four times…) up to
/// <see cref="ReconcilerOptions.ActiveQueryMaxIntervalSeconds"/>. Most orders that wait long are
/// abandoned, not lost: spacing their queries keeps the gateway calls a few per order over a whole
/// payment window, where a query every run made one per run, so the first query can come early.
/// A gateway that answered Paid is asked again at the next run: that payment is captured and not
/// settled yet (its dispatch failed, or its raise was lost), so it does not back off.
/// </summary>
public static class ActiveQuerySchedule
{
    /// <summary>
    /// Slack for the timer: a query is stamped when its answer comes back, a little later in its run
    /// than the run's start, so a run exactly one interval later would otherwise find it not quite due
    /// and leave it to the run after.
    /// </summary>
    private const double TimerSlack = 0.1;

    public static bool IsDue(OrderRecord order, DateTimeOffset now, ReconcilerOptions options)
    {
        if (now - order.RegisteredAt < TimeSpan.FromSeconds(options.ActiveQueryAfterSeconds))
        {
            return false;
        }
        if (order.LastQueryAt is not { } last || AnsweredPaid(order))
        {
            return true;
        }
        return now - last >= IntervalAfter(order.ActiveQueries, options) * (1 - TimerSlack);
    }

    private static bool AnsweredPaid(OrderRecord order) =>
        order.LastQueryAnswer?.StartsWith(nameof(GatewayPaymentState.Paid), StringComparison.Ordinal) == true;

    /// <summary>The wait after the <paramref name="queriesSoFar"/>-th query before the next one.</summary>
    public static TimeSpan IntervalAfter(int queriesSoFar, ReconcilerOptions options)
    {
        // Past 2^20 × the first wait every setting the options allow is at the cap.
        var doublings = Math.Clamp(queriesSoFar - 1, 0, 20);
        var seconds = Math.Min(options.ActiveQueryAfterSeconds * Math.Pow(2, doublings), options.ActiveQueryMaxIntervalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
