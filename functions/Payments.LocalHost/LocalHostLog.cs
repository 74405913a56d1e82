using Microsoft.Extensions.Logging;

namespace Payments.LocalHost;

/// <summary>The local host's log messages, declared once.</summary>
internal static partial class LocalHostLog
{
    [LoggerMessage(8001, LogLevel.Error, "Timer function {Function} failed")]
    public static partial void TimerFailed(this ILogger log, Exception exception, string function);
}
