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

    /// <summary>
    /// How long intake's storage calls for one callback may take in all (the money ledger's order
    /// lookup, the look at the order's row, a dead letter's park, the inbox insert) before it answers
    /// 503: inside the strictest gateway's deadline (WeChat Pay waits 5 s for an answer), so the gateway
    /// hears "retry" instead of timing out. A dispatch after the insert gets what is left of it; a
    /// stored callback is acknowledged whether or not its dispatch finished (the outbox relay applies it).
    /// </summary>
    [Range(1, 30)]
    public int StorageBudgetSeconds { get; set; } = 4;

    public TimeSpan Tolerance => TimeSpan.FromSeconds(ToleranceSeconds);

    public TimeSpan StorageBudget => TimeSpan.FromSeconds(StorageBudgetSeconds);
}
