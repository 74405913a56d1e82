using Microsoft.Extensions.Logging;
using Payments.Contracts;

namespace Payments.Recovery;

/// <summary>
/// The recovery paths' log messages, declared once. Alerts read metrics, except the parked-items alert,
/// which matches every park's "Parked … for order …" (checked against emitted logs by AlertTelemetryTests).
/// </summary>
internal static partial class RecoveryLog
{
    [LoggerMessage(3001, LogLevel.Warning, "Relay of {Provider} event {EventId} failed; next pass retries")]
    public static partial void RelayFailed(this ILogger log, Exception exception, string provider, string eventId);

    [LoggerMessage(3002, LogLevel.Information, "Outbox relay: {Relayed} relayed, {Unknown} queued for unknown orders, {Failed} failed")]
    public static partial void Relayed(this ILogger log, int relayed, int unknown, int failed);

    [LoggerMessage(3003, LogLevel.Warning, "Active query recovered payment {PaymentId} of order {OrderId}: its webhook never arrived")]
    public static partial void ActiveQueryRecovered(this ILogger log, string paymentId, string orderId);

    [LoggerMessage(3004, LogLevel.Warning, "Active query for order {OrderId} failed; the next run retries")]
    public static partial void ActiveQueryFailed(this ILogger log, Exception exception, string orderId);

    [LoggerMessage(3005, LogLevel.Information, "Retry lane: {Applied} applied, {Retried} retried, {DeadLettered} dead-lettered, {Abandoned} handed back, {LocksLost} locks lost")]
    public static partial void LaneDrained(this ILogger log, int applied, int retried, int deadLettered, int abandoned, int locksLost);

    [LoggerMessage(3006, LogLevel.Warning, "Retry lane: storage or transport unavailable at {MessageId}; the batch is handed back for the next drain")]
    public static partial void LaneStorageUnavailable(this ILogger log, Exception exception, string messageId);

    [LoggerMessage(3007, LogLevel.Warning, "Retry lane: dead-lettering {MessageId}: {Reason}")]
    public static partial void LaneDeadLettering(this ILogger log, string messageId, string reason);

    [LoggerMessage(3008, LogLevel.Information, "Statement {Date}: {Lines} lines, {New} new discrepancies, {Total} in all")]
    public static partial void StatementReconciled(this ILogger log, DateOnly date, long lines, int @new, int total);

    [LoggerMessage(3009, LogLevel.Warning, "Dead letter {MessageId} could not be re-driven; parking it")]
    public static partial void RedriveFailed(this ILogger log, Exception exception, string messageId);

    [LoggerMessage(3010, LogLevel.Information, "Dead letter {MessageId} re-driven: its order exists now")]
    public static partial void Redriven(this ILogger log, string messageId);

    [LoggerMessage(3011, LogLevel.Warning, "Parked dead letter {MessageId} for order {OrderId}: {Reason}")]
    public static partial void DeadLetterParked(this ILogger log, string messageId, string? orderId, string reason);

    [LoggerMessage(3012, LogLevel.Information, "Lane lock on {MessageId} lost before settling; the transport delivers it again")]
    public static partial void LaneLockLost(this ILogger log, string messageId);

    [LoggerMessage(3013, LogLevel.Warning, "Lane message {MessageId} could not be handed back; its lock runs out by itself")]
    public static partial void LaneAbandonFailed(this ILogger log, Exception exception, string messageId);

    [LoggerMessage(3014, LogLevel.Information, "Operator audit: {Caller} {Action} {Target}")]
    public static partial void OperatorActed(this ILogger log, string caller, string action, string target);

    // The next three start like the saga's park message, so the parked-items alert (infra/modules/alerts.bicep) fires on them too.
    [LoggerMessage(3113, LogLevel.Warning, "Parked saga_crashed for order {OrderId}: saga ended {Status} after it committed the stock of payment {PaymentId}; the sweep completed the order")]
    public static partial void CrashedSagaCompleted(this ILogger log, string orderId, string paymentId, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus status);

    [LoggerMessage(3015, LogLevel.Error, "Parked saga_crashed for order {OrderId}: saga ended {Status} after payment {PaymentId} was captured; refund started")]
    public static partial void CrashedSagaRefunded(this ILogger log, string orderId, string paymentId, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus status);

    [LoggerMessage(3016, LogLevel.Error, "Parked saga_crashed for order {OrderId}: saga ended {Status}; its payment is {PaymentState}")]
    public static partial void CrashedSagaParked(this ILogger log, string orderId, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus status, Payments.Gateway.GatewayPaymentState paymentState);

    [LoggerMessage(3017, LogLevel.Error, "Parked saga_stuck for order {OrderId}: Paid since {Since}, its saga still running")]
    public static partial void SagaStuckInPaid(this ILogger log, string orderId, DateTimeOffset since);

    [LoggerMessage(3018, LogLevel.Warning, "Crashed-saga sweep for order {OrderId} failed; the next run retries")]
    public static partial void CrashedSagaSweepFailed(this ILogger log, Exception exception, string orderId);

    [LoggerMessage(3019, LogLevel.Warning, "Statement {Date}: line {LineNumber} is malformed ({Reason}); isolated and reported")]
    public static partial void StatementLineMalformed(this ILogger log, DateOnly date, long lineNumber, string reason);

    [LoggerMessage(3090, LogLevel.Warning, "Retry lane: its depth could not be read; the metric waits for the next drain")]
    public static partial void LaneDepthUnknown(this ILogger log, Exception exception);

    [LoggerMessage(3091, LogLevel.Information, "Retry lane: the backlog outlasted a drain; {Workers} drain workers started across the app's instances")]
    public static partial void LaneScaledOut(this ILogger log, int workers);

    [LoggerMessage(3020, LogLevel.Error, "Parked refund_crashed for order {OrderId}: refund orchestration {InstanceId} of payment {PaymentId} ended {Status}; restarted")]
    public static partial void CrashedRefundRestarted(this ILogger log, string orderId, string instanceId, string paymentId, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus status);

    [LoggerMessage(3021, LogLevel.Error, "Parked refund_failed for order {OrderId}: refund orchestration {InstanceId} of payment {PaymentId} ended {Status} again after its restart; an operator retries it")]
    public static partial void CrashedRefundParked(this ILogger log, string orderId, string instanceId, string paymentId, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus status);

    // Worded like every other park ("Parked … for order …") so the parked-items alert matches it.
    [LoggerMessage(3120, LogLevel.Information, "Active query skips {Provider} orders: the {Provider} connector has no outbound query; they are settled by their webhooks or parked at the end of their payment window")]
    public static partial void ActiveQueryNotAvailable(this ILogger log, string provider);

    [LoggerMessage(3092, LogLevel.Error, "Parked reconciliation_{Kind} for order {OrderId}: {Reason}")]
    public static partial void StatementDiscrepancyParked(this ILogger log, DiscrepancyClass kind, string orderId, string reason);

    [LoggerMessage(3022, LogLevel.Error, "Statement {Date}: the {Provider} statement could not be read ({Reason}); its lines are left out of this pass, the other gateways' are reconciled, and the run asks again")]
    public static partial void StatementSourceFailed(this ILogger log, Exception exception, DateOnly date, string provider, string reason);

    [LoggerMessage(3023, LogLevel.Error, "Statement {Date}: run {InstanceId} gave up: {Reason}; the day's report says failed, and the next start runs it afresh")]
    public static partial void StatementRunFailed(this ILogger log, DateOnly date, string instanceId, string reason);

    [LoggerMessage(3040, LogLevel.Warning, "Could not note retry-lane attempt {Attempt} of {Provider} event {EventId} on its stored callback (storage unavailable)")]
    public static partial void LaneAttemptNotNoted(this ILogger log, Exception exception, int attempt, string provider, string eventId);

    [LoggerMessage(3041, LogLevel.Warning, "Could not note the active query's answer for order {OrderId} (storage unavailable)")]
    public static partial void ActiveQueryNotNoted(this ILogger log, Exception exception, string orderId);

    [LoggerMessage(3110, LogLevel.Warning, "Refund {RefundKey} of order {OrderId} at {Provider} is still {State} after {Age}: overdue, the customer has not been paid back")]
    public static partial void RefundOverdue(this ILogger log, string orderId, string refundKey, string provider, string state, TimeSpan age);

    [LoggerMessage(3111, LogLevel.Information, "Refund {RefundKey} of order {OrderId}: {Provider} has no refund query; its notices are the only word")]
    public static partial void RefundNotQueryable(this ILogger log, string orderId, string refundKey, string provider);

    [LoggerMessage(3112, LogLevel.Warning, "Could not follow refund {RefundKey} of order {OrderId}; the next run asks again")]
    public static partial void RefundTrackFailed(this ILogger log, Exception exception, string orderId, string refundKey);

    [LoggerMessage(3130, LogLevel.Warning, "Money monitor: {Rule} for order {OrderId} (customer {CustomerId}): {Detail}")]
    public static partial void MoneyFindingNew(this ILogger log, string rule, string? orderId, string? customerId, string detail);

    [LoggerMessage(3131, LogLevel.Information, "Money monitor: {Watched} captures watched ({Checked} checked, {Settled} settled since listed), {OpenRefunds} open refunds, {Customers} customers checked, {Findings} findings")]
    public static partial void MoneyMonitorRan(this ILogger log, int watched, int @checked, int settled, int openRefunds, int customers, int findings);

    [LoggerMessage(3140, LogLevel.Information, "Recovery step {Step}: examined {Examined}, acted on {Acted}, left {Left} in {Seconds:F1} s")]
    public static partial void RecoveryStepRan(this ILogger log, string step, int examined, int acted, int left, double seconds);

    [LoggerMessage(3141, LogLevel.Warning, "Recovery step {Step} spent its budget of {BudgetSeconds} s and left {Left} due rows to its next run")]
    public static partial void RecoveryStepBudgetSpent(this ILogger log, string step, int budgetSeconds, int left);

    [LoggerMessage(3142, LogLevel.Warning, "Failed-refund sweep for {InstanceId} failed; the next run retries")]
    public static partial void FailedRefundSweepFailed(this ILogger log, Exception exception, string instanceId);
}
