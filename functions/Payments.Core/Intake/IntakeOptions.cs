using System.ComponentModel.DataAnnotations;
using Payments.Storage;

namespace Payments.Intake;

/// <summary>
/// Limits for webhook intake, bound from the <c>Intake</c> section. The webhook secrets belong to
/// the connectors (Gateway/*), each in its own settings.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>
    /// Largest accepted callback body; larger requests are refused with 413. At most what the inbox
    /// can store: the raw body is a Table binary property, which holds 64 KiB.
    /// </summary>
    [Range(1024, InboxStore.MaxBodyBytes)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How far a signed timestamp may be from now, either way.</summary>
    [Range(1, 3600)]
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>
    /// How long a settled inbox row is kept after it was received, so a gateway's late retry is still
    /// recognised as a duplicate: at least the longest retry horizon of any configured gateway
    /// (checked at start-up). Rows a retry or a parked dead letter still needs are kept regardless.
    /// </summary>
    [Range(1, 3650)]
    public int InboxRetentionDays { get; set; } = 30;

    public TimeSpan Tolerance => TimeSpan.FromSeconds(ToleranceSeconds);
}
