using System.ComponentModel.DataAnnotations;

namespace Payments.Operations;

/// <summary>How long finished Durable instances are kept, bound from <c>Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// Sagas, refund orchestrations and statement runs that ended (completed, failed, terminated) and were
    /// created longer ago than this are purged, once the timeline's lines of each are kept. Well past every
    /// gateway's retry horizon (the longest, Adyen's, is 30 days; start-up checks this is at least
    /// <c>Intake:InboxRetentionDays</c>) and the statement run's look-back (the previous day).
    /// </summary>
    [Range(1, 3_650)]
    public int InstanceRetentionDays { get; set; } = 90;

    /// <summary>Bounds one purge run: at a daily run, enough for a busy day's instances; a backlog drains over several runs.</summary>
    [Range(1, 100_000)]
    public int MaxInstancesPerRun { get; set; } = 2_000;
}
