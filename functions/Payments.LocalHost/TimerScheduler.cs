using Cronos;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost;

/// <summary>Runs timer functions on their schedules, as the Functions host does.</summary>
internal sealed class TimerScheduler(IEnumerable<FunctionEntry> timers, IServiceProvider services, IConfiguration configuration, ILogger<TimerScheduler> log)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(timers.Select(t => RunScheduleAsync(t, TimerSchedule.Resolve(t, configuration), stoppingToken)));

    private async Task RunScheduleAsync(FunctionEntry timer, CronExpression schedule, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(DateTime.UtcNow);
            if (next is null)
            {
                return;
            }
            try
            {
                var wait = next.Value - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }
                await FunctionInvoker.InvokeAsync(timer, services, http: null, new TimerInfo(), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // As in the Functions host: a failed run is logged and the next occurrence still fires.
                log.TimerFailed(ex, timer.Name);
            }
        }
    }
}
