using System.ComponentModel.DataAnnotations;

namespace Payments.Faults;

/// <summary>
/// What to break and how often, bound from <c>Faults</c>. Only the local host, the demo and the
/// tests read it; a deployed app has no code that could (and the infra tests forbid <c>Faults__*</c>
/// settings in Azure). Every rate is off by default.
/// </summary>
public sealed class FaultOptions
{
    public const string Section = "Faults";

    /// <summary>
    /// Seeds every fault decision, so a run with the same seed meets the same faults. Unset, a seed
    /// is drawn at start-up and logged, so the run can still be repeated.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Reserving or committing stock fails transiently; the saga's retry policy absorbs it.</summary>
    [Range(0.0, 1.0)]
    public double StockTransientFailureRate { get; set; }

    /// <summary>Granting points fails transiently; the saga's points back-off absorbs it, or parks the grant.</summary>
    [Range(0.0, 1.0)]
    public double PointsTransientFailureRate { get; set; }

    /// <summary>Intake stores the callback, then fails to dispatch it: exercises the outbox relay.</summary>
    [Range(0.0, 1.0)]
    public double IntakeDispatchFailureRate { get; set; }

    /// <summary>
    /// Querying, closing or refunding a payment fails transiently, above the HTTP client's own
    /// in-call retries, so it reaches the saga's retry policy and the reconciler's next run.
    /// </summary>
    [Range(0.0, 1.0)]
    public double GatewayTransientFailureRate { get; set; }

    /// <summary>Delay before every stock and points step.</summary>
    [Range(0, 60_000)]
    public int AddedLatencyMs { get; set; }

    /// <summary>Skus whose stock commit always fails permanently, separated by spaces or commas.</summary>
    public string PermanentFailureSkus { get; set; } = "";

    /// <summary>
    /// Skus whose stock commit throws a transient failure every time, after committing the order's
    /// other lines: the saga keeps retrying it while its order shows Paid, holding committed stock (the
    /// demo's operator terminates such sagas to force a failure after a partial commit), then
    /// compensates with a refund. Separated by spaces or commas.
    /// </summary>
    public string StallingCommitSkus { get; set; } = "";

    /// <summary>
    /// Payments whose id starts with this prefix cannot be closed: every close throws, as if the
    /// gateway were unreachable for them, so the saga parks the close and cancels while the payment
    /// stays open (and the customer can still pay it). Empty: off.
    /// </summary>
    public string UnclosablePaymentPrefix { get; set; } = "";

    /// <summary>
    /// Gateways (provider names, separated by spaces or commas) whose statement download breaks off:
    /// each of their first <see cref="StatementReadFailures"/> statement reads yields its first row and
    /// then fails, as a gateway outage mid-download would. Empty: off.
    /// </summary>
    public string FailingStatementProviders { get; set; } = "";

    /// <summary>How many statement reads of each <see cref="FailingStatementProviders"/> gateway fail before one goes through.</summary>
    [Range(0, 1_000_000)]
    public int StatementReadFailures { get; set; } = 1;

    public bool HasFailingStatement(string provider) =>
        FailingStatementProviders.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Contains(provider, StringComparer.Ordinal);

    public bool IsUnclosable(string paymentId) =>
        UnclosablePaymentPrefix.Length > 0 && paymentId.StartsWith(UnclosablePaymentPrefix, StringComparison.Ordinal);

    public bool IsStalling(string sku) =>
        StallingCommitSkus.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Contains(sku, StringComparer.Ordinal);

    public bool IsPermanentlyFailing(string sku) =>
        PermanentFailureSkus.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Contains(sku, StringComparer.Ordinal);
}
