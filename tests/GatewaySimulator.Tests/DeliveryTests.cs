using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GatewaySimulator.Tests;

public sealed class DeliveryTests
{
    [Fact]
    public async Task Receiver_failing_twice_gets_the_same_event_three_times()
    {
        await using var receiver = await WebhookReceiver.StartAsync(call => call <= 2 ? 500 : 200);
        await using var server = await TestSimulator.StartAsync(receiver);
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-d1");

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        var attempts = receiver.Received;
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.Header("webhook-id")).Distinct());
        Assert.All(attempts, a => Assert.Equal(attempts[0].Body, a.Body));
        Assert.All(attempts, a => Assert.True(StandardSignatureIsValid(a)));
        var stats = server.Stats;
        Assert.Equal(3, stats.DeliveriesAttempted);
        Assert.Equal(2, stats.Retries);
        Assert.Equal(1, stats.DeliveriesSucceeded);
        Assert.Equal(0, stats.DeliveriesPending);
    }

    [Fact]
    public async Task Receiver_that_times_out_gets_a_redelivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync(async call =>
        {
            if (call == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30));
            }

            return 200;
        });
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { DeliveryTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-d2");

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        Assert.Equal(2, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(a => a.Header("webhook-id")).Distinct());
        Assert.Equal(1, server.Stats.Retries);
        Assert.Equal(1, server.Stats.DeliveriesSucceeded);
    }

    [Fact]
    public async Task Delivery_is_abandoned_after_the_retry_schedule_and_counted()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 503);
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { RetrySchedule = [TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20)] });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-d3");

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        Assert.Equal(3, receiver.Received.Count);
        Assert.Equal(1, server.Stats.DeliveriesAbandoned);
        Assert.Equal(0, server.Stats.DeliveriesSucceeded);
    }

    [Fact]
    public async Task Duplicate_rate_one_delivers_every_event_twice_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { DuplicateRate = 1 });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-d4");
        await client.CreatePaidPaymentAsync(server, "pi_d5", provider: "stripe");

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        var byEventId = receiver.Received.GroupBy(EventId).ToArray();
        Assert.Equal(2, byEventId.Length);
        Assert.All(byEventId, group =>
        {
            Assert.Equal(2, group.Count());
            Assert.Single(group.Select(w => Convert.ToBase64String(w.Body)).Distinct());
        });
        Assert.Equal(2, server.Stats.DuplicatesSent);
        Assert.Equal(2, server.Stats.EventsCreated);
    }

    [Fact]
    public async Task Loss_rate_one_delivers_nothing_and_counts_lost_events()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { LossRate = 1 });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-d6");
        using var refund = await client.RefundAsync("pay-d6", "key-d6", 100);

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        Assert.Empty(receiver.Received);
        var stats = server.Stats;
        Assert.Equal(2, stats.EventsCreated);
        Assert.Equal(2, stats.EventsLost);
        Assert.Equal(0, stats.DeliveriesAttempted);
    }

    [Fact]
    public async Task Reordering_lets_later_events_overtake_yet_delivers_each_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { ReorderRate = 0.5, Seed = 7 });
        using var client = TestSimulator.ClientFor(server);
        var created = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            await client.CreatePaidPaymentAsync(server, $"pay-o{i}");
            created.Add($"pay-o{i}");
        }

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        var delivered = receiver.Received
            .Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("data").GetProperty("payment_id").GetString()!)
            .ToArray();
        Assert.Equal(created.Order(), delivered.Order());
        Assert.NotEqual(created, delivered);
    }

    [Fact]
    public async Task Every_event_arrives_at_least_once_under_combined_chaos()
    {
        // Five failures in total can never exhaust a six-step retry schedule, whichever events they hit.
        await using var receiver = await WebhookReceiver.StartAsync(call => call <= 5 ? 500 : 200);
        await using var server = await TestSimulator.StartAsync(receiver, o => o with
        {
            Seed = 11,
            DuplicateRate = 0.3,
            ReorderRate = 0.3,
            DeliveryDelayMin = TimeSpan.FromMilliseconds(5),
            DeliveryDelayMax = TimeSpan.FromMilliseconds(60),
            MaxConcurrentDeliveries = 4,
            RetrySchedule = Enumerable.Repeat(TimeSpan.FromMilliseconds(20), 6).ToArray(),
        });
        using var client = TestSimulator.ClientFor(server);
        for (var i = 0; i < 10; i++)
        {
            await client.CreatePaidPaymentAsync(server, $"pay-c{i}", provider: i % 2 == 0 ? "standard" : "stripe");
        }

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        var stats = server.Stats;
        Assert.Equal(10, receiver.Received.Select(EventId).Distinct().Count());
        Assert.Equal(0, stats.DeliveriesAbandoned);
        Assert.Equal(stats.DeliveriesAttempted, receiver.Received.Count);
        Assert.Equal(10 + stats.DuplicatesSent, stats.DeliveriesSucceeded);
    }

    [Fact]
    public async Task Same_seed_replays_the_same_event_ids()
    {
        var first = await EventIdsForSeedAsync(42);
        var second = await EventIdsForSeedAsync(42);
        var other = await EventIdsForSeedAsync(43);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Stats_endpoint_reports_the_counters()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver);
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-d7");
        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        using var response = await client.GetAsync("/sim/stats");
        var stats = await response.JsonAsync();

        Assert.Equal(1, stats.GetProperty("eventsCreated").GetInt64());
        Assert.Equal(1, stats.GetProperty("deliveriesAttempted").GetInt64());
        Assert.Equal(1, stats.GetProperty("deliveriesSucceeded").GetInt64());
        Assert.Equal(0, stats.GetProperty("duplicatesSent").GetInt64());
        Assert.Equal(0, stats.GetProperty("eventsLost").GetInt64());
        Assert.Equal(0, stats.GetProperty("retries").GetInt64());
        Assert.Equal(0, stats.GetProperty("deliveriesPending").GetInt64());
        Assert.Equal(0, stats.GetProperty("apiErrorsInjected").GetInt64());
    }

    private static async Task<string[]> EventIdsForSeedAsync(int seed)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { Seed = seed });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-seed-1");
        await client.CreatePaidPaymentAsync(server, "pi_seed_2", provider: "stripe");
        await server.WaitForDeliveriesAsync(TestSimulator.Patience);
        return receiver.Received.Select(EventId).ToArray();
    }

    private static string EventId(ReceivedWebhook webhook) =>
        webhook.Provider == "stripe"
            ? JsonDocument.Parse(webhook.Body).RootElement.GetProperty("id").GetString()!
            : webhook.Header("webhook-id");

    private static bool StandardSignatureIsValid(ReceivedWebhook webhook)
    {
        var key = Convert.FromBase64String(SimulatorOptions.DefaultStandardSecret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{webhook.Header("webhook-id")}.{webhook.Header("webhook-timestamp")}.").Concat(webhook.Body).ToArray();
        return webhook.Header("webhook-signature") == "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
