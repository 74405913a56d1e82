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
    int PointsPerMajorUnit)
{
    /// <summary>Bounded, exponential, durable: the retry policy of stock commits, gateway calls and refunds.</summary>
    public TaskOptions StepRetry() => TaskOptions.FromRetryPolicy(new RetryPolicy(
        ActivityMaxAttempts, ActivityBackoff, backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromMinutes(5)));

    /// <summary>
    /// Bounded, exponential, durable: the points grant's back-off. Its own budget, longer than a
    /// payment step's, because an exhausted grant only parks; it never undoes the payment.
    /// </summary>
    public TaskOptions PointsRetry() => TaskOptions.FromRetryPolicy(new RetryPolicy(
        PointsMaxAttempts, PointsBackoff, backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromHours(1)));
}
