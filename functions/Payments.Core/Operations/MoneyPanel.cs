using Payments.Contracts;

namespace Payments.Operations;

/// <summary>
/// The console's money panel: the money monitor's last run and every finding standing, each with the
/// console link that opens its order's timeline (a points finding: the customer's orders).
/// </summary>
public sealed record MoneyPanel(MoneyMonitorReport? LastRun, IReadOnlyList<MoneyPanelRow> Findings)
{
    /// <summary>The console page, relative to <c>/api/</c>; <c>?q=</c> opens a search, a single hit its timeline.</summary>
    public const string ConsolePath = "ops/console";

    public static MoneyPanel From(MoneyMonitorReport? lastRun) =>
        new(lastRun is null ? null : lastRun with { Findings = [] }, [.. (lastRun?.Findings ?? []).Select(f => new MoneyPanelRow(f, TimelineLink(f)))]);

    public static string TimelineLink(MoneyFinding finding) => $"{ConsolePath}?q={Uri.EscapeDataString(finding.OrderId ?? finding.CustomerId ?? finding.Subject)}";
}

/// <summary>One finding on the money panel and the link to its timeline.</summary>
public sealed record MoneyPanelRow(MoneyFinding Finding, string Timeline);
