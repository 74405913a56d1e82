using System.ComponentModel.DataAnnotations;

namespace Payments.Saga;

/// <summary>Saga timings and budgets, bound from the <c>Saga</c> section and copied into each saga's input at start.</summary>
public sealed class SagaOptions
{
    public const string Section = "Saga";

    /// <summary>How long an order waits for its payment before the saga asks the gateway and cancels.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int PaymentWindowSeconds { get; set; } = 900;

    /// <summary>Attempts at granting points, the first included, before the grant is parked.</summary>
    [Range(1, 20)]
    public int PointsMaxAttempts { get; set; } = 5;

    /// <summary>First back-off between points attempts; doubles each time, up to an hour.</summary>
    [Range(1, 3600)]
    public int PointsBackoffSeconds { get; set; } = 30;

    [Range(1, 10)]
    public int ActivityMaxAttempts { get; set; } = 4;

    /// <summary>First back-off for retried activities (stock commit, gateway calls); doubles each time.</summary>
    [Range(1, 600)]
    public int ActivityBackoffSeconds { get; set; } = 2;

    /// <summary>
    /// How long a storage outage plausibly lasts: the steps after a capture (the stock commit, the read
    /// model's records) and the reservation before it retry a failure this long, back-off doubling from
    /// <see cref="ActivityBackoffSeconds"/> up to a minute, before they give up (after a capture: park,
    /// never refund). Saga 4.0 and later. 0 turns it off: those steps keep the ordinary step retry
    /// (<see cref="ActivityMaxAttempts"/>), for a test about something else than storage outages.
    /// </summary>
    [Range(0, 24 * 60)]
    public int StorageOutageMinutes { get; set; } = 10;

    /// <summary>
    /// Whether an order refunded in full after its sale (after-sales, at the gateway, a dispute lost) puts
    /// its committed stock back on the shelf. Off by default: a refund is not a returned parcel, and a
    /// parcel that came back may not be sellable; the order service turns it on when refunds follow returns.
    /// </summary>
    public bool RestockOnFullRefund { get; set; }

    /// <summary>Loyalty points per major currency unit paid.</summary>
    [Range(0, 1000)]
    public int PointsPerMajorUnit { get; set; } = 1;

    /// <summary>
    /// The saga version new sagas are started with (<see cref="SagaVersions"/>), and the newest a
    /// worker of this deployment runs: an in-flight saga keeps the version it started with, and
    /// <see cref="OrderSaga"/> branches on it. Raised with every change to the saga's steps.
    /// </summary>
    [Required]
    [RegularExpression(SagaVersions.Pattern, ErrorMessage = "Saga:Version must be two to four dotted numbers, such as 2.0 or 2.1.")]
    public string Version { get; set; } = SagaVersions.Current;

    public SagaSettings ToSettings() => new(
        TimeSpan.FromSeconds(PaymentWindowSeconds),
        PointsMaxAttempts,
        TimeSpan.FromSeconds(PointsBackoffSeconds),
        ActivityMaxAttempts,
        TimeSpan.FromSeconds(ActivityBackoffSeconds),
        PointsPerMajorUnit,
        TimeSpan.FromMinutes(StorageOutageMinutes));
}
