using Payments.Contracts;

namespace Payments.Ledger;

/// <summary>What moved a money movement, and when: an outbound answer, a notice, a query, a statement line.</summary>
public sealed record MoneyObservation(DateTimeOffset At, string Source, string State, string? Detail = null);

/// <summary>The kinds of money movement the ledger keeps.</summary>
public static class MoneyKinds
{
    public const string Capture = "capture";
    public const string Refund = "refund";
    public const string Dispute = "dispute";
}

/// <summary>
/// One movement of a customer's money, in the charge's own currency and minor units: a capture, a
/// refund (keyed by the pipeline's idempotency key, or by the gateway's refund id when someone else
/// started it) or a dispute (keyed by the gateway's dispute id), with its state, who started it and every observation that moved it.
/// </summary>
public sealed record MoneyMovement(
    string OrderId,
    string Kind,
    string Key,
    string Provider,
    string PaymentId,
    long AmountMinor,
    string Currency,
    string State,
    string Initiator,
    string Reason,
    string? GatewayRefundId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<MoneyObservation> Observations,
    int Attempt = 0,
    string? RequestKey = null)
{
    public RefundState? RefundState => Kind == MoneyKinds.Refund && Enum.TryParse<RefundState>(State, out var state) ? state : null;

    public DisputeState? DisputeState => Kind == MoneyKinds.Dispute && Enum.TryParse<DisputeState>(State, out var state) ? state : null;

    /// <summary>
    /// Whether this movement can still take money back from the capture, or did: a refund requested, pending
    /// or succeeded; a dispute open or lost (a gateway refunds no more than the charge less what is disputed).
    /// </summary>
    public bool CountsAgainstCapture =>
        (RefundState is { } state && state is not (Contracts.RefundState.Failed or Contracts.RefundState.Closed))
        || DisputeState is Contracts.DisputeState.Opened or Contracts.DisputeState.Lost;

    /// <summary>Whether this movement took the money back to the customer: a refund that succeeded, a dispute lost.</summary>
    public bool TookBack => RefundState == Contracts.RefundState.Succeeded || DisputeState == Contracts.DisputeState.Lost;

    /// <summary>The same refund asked for again under the next attempt's key (it failed or was closed under this one).</summary>
    public RefundRequest NextAttempt() => new(OrderId, Provider, PaymentId, AmountMinor, Currency, Reason, Attempt + 1, RequestKey,
        Initiator == MoneyInitiators.Pipeline ? null : Initiator);
}
