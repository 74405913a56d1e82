using Cronos;

namespace Payments.LocalHost;

/// <summary>
/// A timer function's schedule, resolved the way the Functions host does: <c>%Name%</c> from
/// settings, six-field NCRONTAB (with seconds) or five-field cron.
/// </summary>
public static class TimerSchedule
{
    public static CronExpression Resolve(FunctionEntry timer, IConfiguration configuration)
    {
        var expression = timer.Timer.Schedule;
        if (expression.StartsWith('%') && expression.EndsWith('%'))
        {
            var key = expression.Trim('%');
            expression = configuration[key] ?? throw new InvalidOperationException($"Timer function {timer.Name} needs the setting '{key}'.");
        }
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }
}
