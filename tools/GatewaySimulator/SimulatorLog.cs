using Microsoft.Extensions.Logging;

namespace GatewaySimulator;

/// <summary>The simulator's webhook delivery log messages, declared once.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(9001, LogLevel.Information, "Lost {EventType} {EventId} on purpose")]
    public static partial void LostOnPurpose(this ILogger log, string eventType, string eventId);

    [LoggerMessage(9002, LogLevel.Information, "{EventType} {EventId} attempt {Attempt}{Duplicate} -> {Status}")]
    public static partial void Delivered(this ILogger log, string eventType, string eventId, int attempt, string duplicate, string status);

    [LoggerMessage(9003, LogLevel.Warning, "Gave up on {EventType} {EventId} after {Attempts} attempts")]
    public static partial void GaveUp(this ILogger log, string eventType, string eventId, int attempts);
}
