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
}
