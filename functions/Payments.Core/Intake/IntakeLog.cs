using Microsoft.Extensions.Logging;

namespace Payments.Intake;

/// <summary>Intake's log messages, declared once. Never the body, a signature or a secret.</summary>
internal static partial class IntakeLog
{
    [LoggerMessage(1001, LogLevel.Error, "Refused {Provider} callback: {Problem} Answering 503 so the gateway retries")]
    public static partial void ProviderUnavailable(this ILogger log, string provider, string? problem);

    [LoggerMessage(1002, LogLevel.Warning, "Rejected {Provider} callback: signature or timestamp invalid")]
    public static partial void SignatureRejected(this ILogger log, string provider);

    [LoggerMessage(1003, LogLevel.Warning, "Rejected {Provider} callback: {ErrorCount} invalid fields")]
    public static partial void PayloadRejected(this ILogger log, string provider, int errorCount);

    [LoggerMessage(1004, LogLevel.Error, "Inbox unavailable for {Provider} event {EventId}; answering 503")]
    public static partial void InboxUnavailable(this ILogger log, Exception exception, string provider, string eventId);

    [LoggerMessage(1005, LogLevel.Information, "Duplicate {Provider} event {EventId} acknowledged")]
    public static partial void Duplicate(this ILogger log, string provider, string eventId);

    [LoggerMessage(1006, LogLevel.Information, "Ignored {Provider} event {EventId} of type {EventType}")]
    public static partial void Ignored(this ILogger log, string provider, string eventId, string? eventType);

    [LoggerMessage(1007, LogLevel.Warning, "Dispatch of {Provider} event {EventId} for order {OrderId} failed; left for the outbox relay")]
    public static partial void DispatchFailed(this ILogger log, Exception exception, string provider, string eventId, string orderId);

    // Worded like every other park ("Parked … for order …") so the parked-items alert matches it.
    [LoggerMessage(1008, LogLevel.Error, "Parked {Provider} event {EventId} of type {EventType} for order {OrderId}, for an operator: {Reason}")]
    public static partial void CallbackParked(this ILogger log, string provider, string eventId, string eventType, string orderId, string reason);

    [LoggerMessage(1009, LogLevel.Error, "Storage did not answer within intake's budget of {Budget} for {Provider} event {EventId}; answering 503")]
    public static partial void StorageBudgetSpent(this ILogger log, string provider, string eventId, TimeSpan budget);

    [LoggerMessage(1010, LogLevel.Warning, "Dispatch of {Provider} event {EventId} for order {OrderId} did not finish within intake's budget of {Budget}; stored, acknowledged and left for the outbox relay")]
    public static partial void DispatchLeftToRelay(this ILogger log, string provider, string eventId, string orderId, TimeSpan budget);

    [LoggerMessage(1040, LogLevel.Warning, "Could not note a duplicate delivery of {Provider} event {EventId} on its stored callback (storage unavailable); acknowledged anyway")]
    public static partial void DeliveryNotNoted(this ILogger log, Exception exception, string provider, string eventId);
}
