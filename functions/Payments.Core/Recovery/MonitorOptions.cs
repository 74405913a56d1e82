using System.ComponentModel.DataAnnotations;

namespace Payments.Recovery;

/// <summary>The money monitor's bounds, bound from <c>Monitor</c> (its schedule is the <c>MoneyMonitorSchedule</c> setting).</summary>
public sealed class MonitorOptions
{
    public const string Section = "Monitor";

    /// <summary>
    /// A capture not settled this long after the ledger recorded it — its order not completed with it,
    /// nor a final refund covering it — is a finding. A healthy saga settles in seconds; a payment
    /// window, the points back-off and a crashed saga's grace are well inside the default hour.
    /// </summary>
    [Range(1, 10_080)]
    public int CaptureSettleMinutes { get; set; } = 60;
}
