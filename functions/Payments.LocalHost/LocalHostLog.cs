using Microsoft.Extensions.Logging;

namespace Payments.LocalHost;

/// <summary>The local host's log messages, declared once.</summary>
internal static partial class LocalHostLog
{
    [LoggerMessage(8001, LogLevel.Error, "Timer function {Function} failed")]
    public static partial void TimerFailed(this ILogger log, Exception exception, string function);

    [LoggerMessage(8002, LogLevel.Warning, "The Durable provider's shutdown failed; its partition leases expire on their own")]
    public static partial void DurableStopFailed(this ILogger log, Exception exception);

    [LoggerMessage(8003, LogLevel.Warning, "The Durable provider did not stop within {Seconds} s; the host stops without waiting further")]
    public static partial void DurableStopOverran(this ILogger log, double seconds);
}
