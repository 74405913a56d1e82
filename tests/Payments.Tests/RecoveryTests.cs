using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Payments.Contracts;
using Payments.Functions;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class RecoveryFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("recovery", settings =>
    {
        settings["Lane:MaxAttempts"] = "2";
        settings["Faults:IntakeDispatchFailureRate"] = "0";
    });
}

/// <summary>Callbacks that could not be applied at once: the retry lane, dead letters and the operator's re-drive.</summary>
public sealed class RecoveryTests(RecoveryFixture fixture) : IClassFixture<RecoveryFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private RecoveryFunctions Recovery => Pipeline.Function<RecoveryFunctions>();

    private Task<LaneDrainReport> DrainLaneAsync() => Recovery.DrainRetryLane(new TimerInfo(), Pipeline.Durable, CancellationToken.None);

    private async Task<HttpResponseMessage> PostSuccessAsync(OrderRequest order, string eventId) =>
        await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, eventId,
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor)));

    private static OrderRequest Order(string id, string sku) => new(id, "cust-" + id, [new OrderLine(sku, 1)], 1500, "EUR", "standard", "pay-" + id);

    /// <summary>Drains the lane until <paramref name="done"/> holds; the lane's back-off is a second, so this loops a few times.</summary>
    private async Task DrainUntilAsync(Func<LaneDrainReport, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done(await DrainLaneAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, "The retry lane never got there.");
            await Task.Delay(300);
        }
    }

    [Fact]
    public async Task A_callback_that_outruns_its_order_registration_is_applied_once_the_order_exists()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-early", 2);
        var order = Order("early1", "sku-early");
        (await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, order.Provider })).EnsureSuccessStatusCode();

        using var reply = await PostSuccessAsync(order, "msg_early1");
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(InboxState.Queued, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_early1"))!.State);

        (await Pipeline.Http.PostAsJsonAsync("api/orders", order)).EnsureSuccessStatusCode();
        await DrainUntilAsync(r => r.Applied == 1);

        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        // Raised to the running saga by the lane; the relay's second look confirms it once the saga ended.
        Assert.Equal(InboxState.Raised, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_early1"))!.State);
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_early1"))!.State);
        Assert.Equal(new StockLevel("sku-early", 1, 0, 1), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-early"));
        Assert.Equal(15, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
    }

    [Fact]
    public async Task A_callback_that_keeps_failing_is_dead_lettered_parked_shown_and_redriven_exactly_once()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-dlq", 2);
        var order = Order("dlq1", "sku-dlq");
        using (var reply = await PostSuccessAsync(order, "msg_dlq1"))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        await DrainUntilAsync(r => r.DeadLettered == 1); // MaxAttempts = 2: one retry, then the dead letter
        var drained = await Recovery.DrainDeadLetters(new TimerInfo(), Pipeline.Durable, CancellationToken.None);
        Assert.Equal(0, drained.Redriven);
        Assert.InRange(drained.Parked, 1, 3); // this letter, plus any the other tests of the class left

        using var listed = JsonDocument.Parse(await Pipeline.Http.GetStringAsync("api/ops/dead-letters"));
        var entry = Assert.Single(listed.RootElement.EnumerateArray(), e => e.GetProperty("letter").GetProperty("orderId").GetString() == order.OrderId);
        Assert.Equal("unknown_order", entry.GetProperty("letter").GetProperty("reason").GetString());
        Assert.Equal(2, entry.GetProperty("letter").GetProperty("attempts").GetInt32());
        var letterId = entry.GetProperty("letter").GetProperty("id").GetString()!;

        using (var tooEarly = await Pipeline.Http.PostAsync($"api/ops/dead-letters/{Uri.EscapeDataString(letterId)}/redrive", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        }
        (await Pipeline.Http.PostAsJsonAsync("api/orders", order)).EnsureSuccessStatusCode(); // the fault is removed
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        var replies = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Pipeline.Http.PostAsync($"api/ops/dead-letters/{Uri.EscapeDataString(letterId)}/redrive", null)));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var statuses = await Task.WhenAll(replies.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()));
        Assert.Equal(["already_resolved", "redriven"], statuses.Order());
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Single(await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListGrantsAsync()), g => g.OrderId == order.OrderId);
        Assert.Equal(LetterStatus.Redriven, (await Pipeline.Service<DeadLetterStore>().GetAsync(letterId))!.Status);
    }

    [Fact]
    public async Task Bad_lane_messages_are_parked_with_a_reason_without_blocking_the_good_one_behind_them()
    {
        var storage = Pipeline.Service<PaymentsStorage>();
        var queue = await storage.QueueAsync("retry-lane");
        await queue.SendMessageAsync(BinaryData.FromString("this is not json"));
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(new LaneMessage(99, "standard", "msg_future", "o", 1)));

        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-good", 1);
        var good = Order("good1", "sku-good");
        (await Pipeline.Http.PostAsJsonAsync("api/orders", good)).EnsureSuccessStatusCode();
        await Pipeline.WaitForStepAsync(good.OrderId, "AwaitingPayment");
        var paymentEvent = new PaymentEvent("standard", "msg_good1", PaymentEventKind.Succeeded, good.PaymentId, good.OrderId, 1500, "EUR", DateTimeOffset.UtcNow);
        await Pipeline.Service<InboxStore>().TryAddAsync(new InboxEntry("standard", "msg_good1", [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Queued, paymentEvent, null));
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(LaneMessage.For(paymentEvent, 1)));

        await DrainUntilAsync(r => r.Applied >= 1);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(good.OrderId)).Status);

        await Recovery.DrainDeadLetters(new TimerInfo(), Pipeline.Durable, CancellationToken.None);
        var parked = await Collect.AllAsync(Pipeline.Service<DeadLetterStore>().ListAsync());
        Assert.Contains(parked, l => l.Reason == "unparseable" && l.RawBody == "this is not json");
        Assert.Contains(parked, l => l.Reason == "unknown_version" && l.EventId == "msg_future");
    }

    [Fact]
    public async Task An_operator_discards_a_parked_letter_with_a_reason_and_it_stays_for_audit()
    {
        var queue = await Pipeline.Service<PaymentsStorage>().QueueAsync("retry-lane");
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(new LaneMessage(LaneMessage.CurrentVersion, "standard", "msg_gone", "gone1", 1)));
        await DrainUntilAsync(r => r.DeadLettered >= 1); // no such callback in the inbox
        await Recovery.DrainDeadLetters(new TimerInfo(), Pipeline.Durable, CancellationToken.None);
        var id = Uri.EscapeDataString("standard:msg_gone");

        using var noReason = await Pipeline.Http.PostAsJsonAsync($"api/ops/dead-letters/{id}/discard", new { reason = "" });
        using var discarded = await Pipeline.Http.PostAsJsonAsync($"api/ops/dead-letters/{id}/discard", new { reason = "test callback, never real" });
        using var redrive = await Pipeline.Http.PostAsync($"api/ops/dead-letters/{id}/redrive", null);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.OK), (noReason.StatusCode, discarded.StatusCode, redrive.StatusCode));
        Assert.Contains("already_resolved", await redrive.Content.ReadAsStringAsync());
        var letter = await Pipeline.Service<DeadLetterStore>().GetAsync("standard:msg_gone");
        Assert.Equal((LetterStatus.Discarded, "callback_missing"), (letter!.Status, letter.Reason));
        Assert.Contains("test callback, never real", letter.Resolution);
    }
}

