using Microsoft.DurableTask;

namespace Payments.Saga;

/// <summary>
/// The saga's settings frozen at order registration, so a configuration change never alters a
/// saga already in flight (its replays must see the same values).
/// </summary>
public sealed record SagaSettings(
    TimeSpan PaymentWindow,
    int PointsMaxAttempts,
    TimeSpan PointsBackoff,
    int ActivityMaxAttempts,
    TimeSpan ActivityBackoff,
    int PointsPerMajorUnit,
    TimeSpan StorageOutage = default)
{
    /// <summary>The longest wait between two tries of a step riding out a storage outage: an outage that ends is noticed within it.</summary>
    public static readonly TimeSpan OutageRetryCap = TimeSpan.FromMinutes(1);

    /// <summary>Bounded, exponential, durable: the retry policy of stock commits, gateway calls and refunds.</summary>
    public TaskOptions StepRetry() => TaskOptions.FromRetryPolicy(new RetryPolicy(
        ActivityMaxAttempts, ActivityBackoff, backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromMinutes(5)));

    /// <summary>
    /// Bounded, exponential, durable: the points grant's back-off. Its own budget, longer than a
    /// payment step's, because an exhausted grant only parks; it never undoes the payment.
    /// </summary>
    public TaskOptions PointsRetry() => TaskOptions.FromRetryPolicy(new RetryPolicy(
        PointsMaxAttempts, PointsBackoff, backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromHours(1)));

    /// <summary>
    /// Bounded, exponential, durable: the retry policy of a step that must ride out a storage outage
    /// (after a capture, giving up would undo a customer's payment). Waits double from
    /// <see cref="ActivityBackoff"/> up to <see cref="OutageRetryCap"/>, for at most
    /// <see cref="StorageOutage"/> after the first try (measured on the orchestration's clock, so
    /// replays agree) and never fewer tries than <see cref="StepRetry"/>. A saga input written before
    /// the setting existed has no outage: it gets <see cref="StepRetry"/>.
    /// </summary>
    public TaskOptions OutageRetry()
    {
        if (StorageOutage <= TimeSpan.Zero || ActivityBackoff <= TimeSpan.Zero)
        {
            return StepRetry();
        }
        var cap = ActivityBackoff > OutageRetryCap ? ActivityBackoff : OutageRetryCap;
        var timeout = StorageOutage > ActivityBackoff ? StorageOutage : ActivityBackoff;
        return TaskOptions.FromRetryPolicy(new RetryPolicy(
            Math.Max(OutageAttempts(cap), ActivityMaxAttempts), ActivityBackoff, backoffCoefficient: 2.0, maxRetryInterval: cap, retryTimeout: timeout));
    }

    /// <summary>Tries whose waits fit in <see cref="StorageOutage"/>, the first included (10 minutes from 2 s: 14).</summary>
    private int OutageAttempts(TimeSpan cap)
    {
        var (attempts, waited, wait) = (1, TimeSpan.Zero, ActivityBackoff);
        while (waited + wait <= StorageOutage)
        {
            (attempts, waited) = (attempts + 1, waited + wait);
            wait = wait * 2 > cap ? cap : wait * 2;
        }
        return attempts;
    }
}
