using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Operations;
using Payments.Saga;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class InstanceRetentionFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("retention");
}

/// <summary>
/// Retention of finished Durable instances: purged once older than the retention setting, and the
/// console's timeline of a purged order still shows its saga's steps and outcome from what was kept.
/// </summary>
public sealed class InstanceRetentionTests(InstanceRetentionFixture fixture) : IClassFixture<InstanceRetentionFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private async Task<JsonElement> TimelineAsync(string orderId)
    {
        using var reply = await Pipeline.Http.GetAsync($"api/ops/console/timeline/{orderId}");
        reply.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static List<string> SagaLines(JsonElement timeline) =>
    [
        .. timeline.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("source").GetString() == "saga")
            .Select(e => $"{e.GetProperty("title").GetString()} | {e.GetProperty("detail").GetString()}"),
    ];

    /// <summary>Retention as it runs <paramref name="days"/> from now.</summary>
    private InstanceRetention RetentionIn(int days) =>
        ActivatorUtilities.CreateInstance<InstanceRetention>(Pipeline.Host.Services, (TimeProvider)new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(days)));

    [Fact]
    public async Task A_purged_order_still_shows_its_saga_steps_and_outcome_on_its_timeline()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-kept", 1);
        var order = await Pipeline.RegisterOrderAsync("kept1", sku: "sku-kept");
        using (await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_kept1",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var before = await TimelineAsync(order.OrderId);

        // Within the retention nothing goes; past it (90 days by default) the finished saga is purged.
        var early = await RetentionIn(30).PurgeAsync(Pipeline.Durable);
        Assert.NotNull(await Pipeline.Durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId)));
        var report = await RetentionIn(100).PurgeAsync(Pipeline.Durable);

        Assert.Equal(new InstancePurgeReport(0, 0, More: false), early);
        Assert.InRange(report.Kept, 1, report.Purged);
        Assert.Null(await Pipeline.Durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId)));
        var after = await TimelineAsync(order.OrderId);
        Assert.Equal(SagaLines(before), SagaLines(after));
        Assert.True(after.GetProperty("fromDurableHistory").GetBoolean());
        var lines = SagaLines(after);
        Assert.Contains(lines, l => l.Contains("HoldStock scheduled", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("event PaymentEvent received", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{OrderSaga.InstanceId(order.OrderId)}: Completed", StringComparison.Ordinal));
    }
}
