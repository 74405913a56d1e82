using Microsoft.Extensions.Configuration;
using Payments.Functions;
using Payments.LocalHost;

namespace Payments.Tests;

/// <summary>The local host resolves timer schedules as the Functions host does: <c>%Name%</c> from settings, NCRONTAB with seconds.</summary>
public sealed class TimerScheduleTests
{
    private static FunctionEntry Timer(string name) =>
        FunctionCatalog.Discover(typeof(CallbackFunctions).Assembly).Single(f => f.Name == name);

    private static DateTime? Next(string function, string setting, string schedule, DateTime from)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [setting + "Schedule"] = schedule }).Build();
        return TimerSchedule.Resolve(Timer(function), settings).GetNextOccurrence(from);
    }

    [Fact]
    public void Six_field_schedules_include_seconds_and_five_field_ones_do_not()
    {
        var from = new DateTime(2026, 11, 25, 10, 0, 1, DateTimeKind.Utc);
        Assert.Equal(from.AddSeconds(4), Next("RetryLaneDrain", "RetryLane", "*/5 * * * * *", from));
        Assert.Equal(new DateTime(2026, 11, 25, 10, 15, 0, DateTimeKind.Utc), Next("RetryLaneDrain", "RetryLane", "*/15 * * * *", from));
        Assert.Equal(new DateTime(2026, 11, 26, 2, 30, 0, DateTimeKind.Utc), Next("StatementReconciliation", "Statement", "0 30 2 * * *", from));
    }

    [Fact]
    public void A_missing_schedule_setting_is_named_at_start_up()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Resolve(Timer("RetryLaneDrain"), new ConfigurationBuilder().Build()));
        Assert.Contains("RetryLaneSchedule", failure.Message);
    }
}
