using System.ComponentModel.DataAnnotations;

namespace Payments.Recovery;

/// <summary>When the reconciler asks the gateway about orders still awaiting payment, bound from <c>Reconciler</c>.</summary>
public sealed class ReconcilerOptions
{
    public const string Section = "Reconciler";

    /// <summary>
    /// An order still awaiting payment this long after registration gets an active query, well
    /// before its payment window closes, so a lost webhook costs minutes rather than the window.
    /// </summary>
    [Range(1, 86_400)]
    public int ActiveQueryAfterSeconds { get; set; } = 120;

    /// <summary>Bounds the gateway calls one reconciler run makes.</summary>
    [Range(1, 10_000)]
    public int MaxActiveQueriesPerRun { get; set; } = 200;

    /// <summary>
    /// An order shown Paid this long with its saga still running is parked as stuck. Longer than the
    /// points back-off's whole horizon, the longest a healthy saga stays in Paid.
    /// </summary>
    [Range(1, 100_000)]
    public int StuckPaidAfterMinutes { get; set; } = 360;
}
