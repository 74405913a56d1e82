using System.ComponentModel.DataAnnotations;

namespace Payments.Intake;

/// <summary>
/// Limits for webhook intake, bound from the <c>Intake</c> section. The webhook secrets belong to
/// the connectors (Gateway/*), each in its own settings.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>Largest accepted callback body; larger requests are refused with 413.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How far a signed timestamp may be from now, either way.</summary>
    [Range(1, 3600)]
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>How long inbox rows are kept; at least as long as any gateway keeps retrying (Stripe: 3 days).</summary>
    [Range(3, 3650)]
    public int InboxRetentionDays { get; set; } = 7;

    public TimeSpan Tolerance => TimeSpan.FromSeconds(ToleranceSeconds);
}
