namespace Payments.Contracts;

/// <summary>The money monitor's rules, by the name the findings, the meter's <c>rule</c> tag and the console use.</summary>
public static class MoneyRuleNames
{
    /// <summary>A capture older than <c>Monitor:CaptureSettleMinutes</c> neither settles its order nor is refunded in full.</summary>
    public const string CaptureUnsettled = "capture_unsettled";

    /// <summary>A refund still not final after <c>Reconciler:RefundOverdueAfterHours</c>.</summary>
    public const string RefundOverdue = "refund_overdue";

    /// <summary>A customer's points balance differs from their grants less their reversals.</summary>
    public const string PointsBalance = "points_balance";

    public static readonly IReadOnlyList<string> All = [CaptureUnsettled, RefundOverdue, PointsBalance];
}

/// <summary>
/// One payment (or one customer's points) that breaks a money rule now, as the monitor's last run
/// found it. <paramref name="Subject"/> is unique per rule (order~payment, order~refund key, customer);
/// <paramref name="Since"/> is when the money started waiting (captured, refund requested), and
/// <paramref name="FirstFoundAt"/> the first run that found it.
/// </summary>
public sealed record MoneyFinding(
    string Rule,
    string Subject,
    string? OrderId,
    string? PaymentId,
    string? CustomerId,
    string? Provider,
    long? AmountMinor,
    string? Currency,
    string Detail,
    DateTimeOffset Since,
    DateTimeOffset FirstFoundAt);

/// <summary>The money monitor's last run: when, what it looked at, and the findings it left standing.</summary>
public sealed record MoneyMonitorReport(
    DateTimeOffset RanAt,
    int CapturesWatched,
    int CapturesChecked,
    int CapturesSettledSinceWatched,
    int OpenRefunds,
    int CustomersChecked,
    IReadOnlyDictionary<string, int> FindingsByRule,
    IReadOnlyList<MoneyFinding> Findings);
