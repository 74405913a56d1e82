using System.Text.Json;
using Payments.LocalHost;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Reads the Functions SDK's build output: what the Azure Functions host will actually register.</summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<JsonElement[]> Functions = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.BuildOutput("Payments.Functions"), "functions.metadata"))).RootElement.EnumerateArray().ToArray());

    private static JsonElement Trigger(string name) =>
        Functions.Value.Single(f => f.GetProperty("name").GetString() == name)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    [Theory]
    [InlineData("Callback", "callbacks/{provider}", "post", "Anonymous")]
    [InlineData("Health", "health", "get", "Anonymous")]
    [InlineData("RegisterOrder", "orders", "post", "Function")]
    [InlineData("GetOrder", "orders/{orderId}", "get", "Function")]
    [InlineData("RefundOrder", "orders/{orderId}/refunds", "post", "Function")]
    [InlineData("GetOrderMoney", "orders/{orderId}/money", "get", "Function")]
    [InlineData("SetStock", "ops/stock/{sku}", "put", "Function")]
    [InlineData("GetStock", "ops/stock/{sku}", "get", "Function")]
    [InlineData("ListParked", "ops/parked", "get", "Function")]
    [InlineData("ListDeadLetters", "ops/dead-letters", "get", "Function")]
    [InlineData("RedriveDeadLetter", "ops/dead-letters/{id}/redrive", "post", "Function")]
    [InlineData("RedriveAllDeadLetters", "ops/dead-letters/redrive-all", "post", "Function")]
    [InlineData("DiscardDeadLetter", "ops/dead-letters/{id}/discard", "post", "Function")]
    [InlineData("RetryParkedRefund", "ops/refunds/{key}/retry", "post", "Function")]
    [InlineData("GetReconciliationReport", "ops/reconciliation/{date}", "get", "Function")]
    [InlineData("RunReconciliation", "ops/reconciliation/{date}", "post", "Function")]
    [InlineData("ReindexLegacyRows", "ops/maintenance/reindex", "post", "Function")]
    // The console's page and files hold no data: no key in their URLs (issue 25, item 11). Its data routes need the key.
    [InlineData("ConsolePage", "ops/console", "get", "Anonymous")]
    [InlineData("ConsoleAsset", "ops/console/assets/{name}", "get", "Anonymous")]
    [InlineData("ConsoleSearch", "ops/console/search", "get", "Function")]
    [InlineData("ConsoleTimeline", "ops/console/timeline/{orderId}", "get", "Function")]
    [InlineData("ConsoleCallbackBody", "ops/console/callbacks/{provider}/{eventId}/body", "get", "Function")]
    [InlineData("ConsoleWork", "ops/console/work", "get", "Function")]
    [InlineData("ConsoleAction", "ops/console/actions", "post", "Function")]
    [InlineData("ConsoleAudit", "ops/console/audit", "get", "Function")]
    [InlineData("ConsoleReports", "ops/console/reports", "get", "Function")]
    [InlineData("ConsoleLive", "ops/console/live", "get", "Function")]
    [InlineData("ConsoleMoney", "ops/console/money", "get", "Function")]
    [InlineData("MoneyMonitorRun", "ops/monitor/run", "post", "Function")]
    public void Http_functions_have_their_route_method_and_auth_level(string name, string route, string method, string authLevel)
    {
        var trigger = Trigger(name);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
    }

    [Theory]
    [InlineData("Reconciler", "%ReconcilerSchedule%")]
    [InlineData("RefundTracking", "%RefundTrackingSchedule%")]
    [InlineData("CrashedSagaSweep", "%CrashedSagaSweepSchedule%")]
    [InlineData("FailedRefundSweep", "%FailedRefundSweepSchedule%")]
    [InlineData("RetryLaneDrain", "%RetryLaneSchedule%")]
    [InlineData("DeadLetterDrain", "%DeadLetterSchedule%")]
    [InlineData("StatementReconciliation", "%StatementSchedule%")]
    [InlineData("InboxPurge", "%InboxPurgeSchedule%")]
    [InlineData("InstancePurge", "%InstancePurgeSchedule%")]
    [InlineData("MoneyMonitor", "%MoneyMonitorSchedule%")]
    public void Timer_functions_take_their_schedule_from_app_settings(string name, string schedule)
    {
        var trigger = Trigger(name);
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(schedule, trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void Orchestrators_and_activities_are_registered_under_the_names_the_saga_the_lane_and_the_statement_run_call()
    {
        var orchestrators = Functions.Value.Where(f => TypeOf(f) == "orchestrationTrigger").Select(Name).Order();
        var activities = Functions.Value.Where(f => TypeOf(f) == "activityTrigger").Select(Name).Order();
        Assert.Equal(["LatePaymentRefund", "OrderSaga", Payments.Recovery.LaneScaleOut.Name, "StatementRun"], orchestrators);
        var activityNames = typeof(Payments.Saga.SagaActivityNames).GetFields().Concat(typeof(Payments.Recovery.StatementActivityNames).GetFields())
            .Select(f => (string)f.GetValue(null)!).Append(Payments.Recovery.LaneScaleOut.WorkerName).Order();
        Assert.Equal(activityNames, activities);
    }

    [Fact]
    public void The_local_host_serves_exactly_the_functions_the_Functions_host_registers()
    {
        var discovered = FunctionCatalog.Discover(typeof(Payments.Functions.CallbackFunctions).Assembly)
            .Select(f => (f.Name, Type: char.ToLowerInvariant(f.Trigger.ToString()[0]) + f.Trigger.ToString()[1..] + "Trigger")).Order();
        Assert.Equal(Functions.Value.Select(f => (Name(f), TypeOf(f))).Order(), discovered);
    }

    private static string Name(JsonElement function) => function.GetProperty("name").GetString()!;

    private static string TypeOf(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Select(b => b.GetProperty("type").GetString()!).Single(t => t.EndsWith("Trigger", StringComparison.Ordinal));
}
