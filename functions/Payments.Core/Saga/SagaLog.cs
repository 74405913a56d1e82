using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Ledger;

namespace Payments.Saga;

/// <summary>The saga's, dispatch's and registration's log messages, declared once.</summary>
internal static partial class SagaLog
{
    [LoggerMessage(2001, LogLevel.Information, "Stock for order {OrderId}: {Result}")]
    public static partial void StockReserved(this ILogger log, string orderId, ReserveResult result);

    [LoggerMessage(2002, LogLevel.Warning, "Stock commit for order {OrderId} failed permanently")]
    public static partial void StockCommitFailed(this ILogger log, string orderId);

    [LoggerMessage(2003, LogLevel.Information, "Points for order {OrderId}: {Result}")]
    public static partial void PointsGranted(this ILogger log, string orderId, GrantResult result);

    [LoggerMessage(2004, LogLevel.Information, "Refunded order {OrderId} payment {PaymentId}: {Reason}")]
    public static partial void Refunded(this ILogger log, string orderId, string paymentId, string reason);

    // The parked-items alert (infra/modules/alerts.bicep) matches this text: "Parked " ... " for order ".
    [LoggerMessage(2005, LogLevel.Warning, "Parked {Kind} for order {OrderId}: {Reason}")]
    public static partial void Parked(this ILogger log, string kind, string orderId, string reason);

    [LoggerMessage(2006, LogLevel.Information, "Payment event {EventId} for unknown order {OrderId}")]
    public static partial void UnknownOrder(this ILogger log, string eventId, string orderId);

    [LoggerMessage(2021, LogLevel.Warning, "Refund notice for order {OrderId} ({Provider} event {EventId}, {Kind}) matches no refund in the money ledger")]
    public static partial void RefundNoticeUnmatched(this ILogger log, string orderId, string provider, string eventId, PaymentEventKind kind);

    [LoggerMessage(2022, LogLevel.Warning, "Refund {RefundId} of order {OrderId} made at {Provider} outside the pipeline: {AmountMinor} {Currency}, recorded and applied to the order")]
    public static partial void ExternalRefundRecorded(this ILogger log, string orderId, string provider, string refundId, long amountMinor, string currency);

    // Worded like every other park so the parked-items alert matches it.
    [LoggerMessage(2023, LogLevel.Error, "Parked refund_failed for order {OrderId}: refund {RefundKey} ended {State} at {Provider} after it was accepted")]
    public static partial void RefundFailedAfterAcceptance(this ILogger log, string orderId, string refundKey, string provider, RefundState state);

    [LoggerMessage(2024, LogLevel.Information, "Order {OrderId} reversed to {Status}: {TakenBackMinor} of {CapturedMinor} taken back, {Points} points taken back")]
    public static partial void OrderReversed(this ILogger log, string orderId, OrderStatus status, long takenBackMinor, long capturedMinor, long points);

    // Worded like every other park so the parked-items alert matches it.
    [LoggerMessage(2025, LogLevel.Error, "Parked dispute_opened for order {OrderId}: dispute {DisputeId} at {Provider} of {AmountMinor} {Currency}, {State}")]
    public static partial void DisputeOpened(this ILogger log, string orderId, string disputeId, string provider, long amountMinor, string currency, DisputeState state);

    [LoggerMessage(2026, LogLevel.Warning, "Dispute {DisputeId} of order {OrderId} at {Provider} moved to {State}")]
    public static partial void DisputeMoved(this ILogger log, string orderId, string disputeId, string provider, DisputeState state);

    [LoggerMessage(2027, LogLevel.Error, "Parked dispute_won_after_reversal for order {OrderId}: dispute {DisputeId} at {Provider} won after the order was reversed; nothing re-granted")]
    public static partial void DisputeWonAfterReversal(this ILogger log, string orderId, string disputeId, string provider);

    [LoggerMessage(2020, LogLevel.Warning, "Parked provider_mismatch for order {OrderId}: a {Provider} event {EventId} named an order of {OrderProvider}")]
    public static partial void ProviderMismatch(this ILogger log, string orderId, string provider, string eventId, string orderProvider);

    // Worded like every other park so the parked-items alert matches it.
    [LoggerMessage(2007, LogLevel.Error, "Parked saga_failed for order {OrderId}: payment event {EventId} found its saga {Status}")]
    public static partial void SagaNotRunning(this ILogger log, string eventId, string orderId, OrchestrationRuntimeStatus status);

    [LoggerMessage(2008, LogLevel.Warning, "Payment {PaymentId} the order {OrderId} will not keep: refund started ({Reason})")]
    public static partial void LatePaymentRefundStarted(this ILogger log, string paymentId, string orderId, string reason);

    [LoggerMessage(2009, LogLevel.Warning, "Order {OrderId} had no saga {Age} after registration; starting it")]
    public static partial void SagaNeverStarted(this ILogger log, string orderId, TimeSpan age);

    [LoggerMessage(2010, LogLevel.Information, "Order {OrderId} registered; saga started")]
    public static partial void Registered(this ILogger log, string orderId);

    [LoggerMessage(2041, LogLevel.Warning, "Order {OrderId}: a stale {Status} ({Step}) was not recorded; the read model already shows a later step")]
    public static partial void StaleRecordRefused(this ILogger log, string orderId, OrderStatus status, string step);

    [LoggerMessage(2050, LogLevel.Information, "Order {OrderId} registered: {Applied} waiting callbacks applied at once")]
    public static partial void WaitingCallbacksApplied(this ILogger log, string orderId, int applied);

    [LoggerMessage(2051, LogLevel.Warning, "Order {OrderId} registered, but its waiting callbacks could not be applied now; the retry lane applies them")]
    public static partial void WaitingCallbacksDeferred(this ILogger log, Exception exception, string orderId);

    [LoggerMessage(2052, LogLevel.Warning, "Order {OrderId}: its saga had not started within {Patience}, so its {Waiting} waiting callbacks are left to the retry lane")]
    public static partial void WaitingCallbacksLeftToLane(this ILogger log, string orderId, int waiting, TimeSpan patience);

    [LoggerMessage(2053, LogLevel.Warning, "Payment event {EventId} for order {OrderId}: its saga is scheduled but had not started within {Patience}; not raised, applied on a later attempt")]
    public static partial void SagaNotStartedYet(this ILogger log, string eventId, string orderId, TimeSpan patience);
}
