using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class RedriveAllFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("redriveall");
}

/// <summary>
/// "Re-drive all" walks parked letters oldest first: letters that can never be re-driven neither
/// count toward its cap nor block the ones behind them, and it says what it skipped and why.
/// </summary>
public sealed class RedriveAllTests(RedriveAllFixture fixture) : IClassFixture<RedriveAllFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private static readonly DateTimeOffset LongAgo = DateTimeOffset.UtcNow.AddDays(-2);

    private static readonly OperatorCaller Operator = new("redrive-all-test", ObjectId: null, Verified: false);

    private static ParkedLetter Letter(string id, string? provider, string? eventId, string? orderId, DateTimeOffset parkedAt, string reason = "unknown_order") =>
        new(id, provider, eventId, orderId, reason, "test", 5, LetterStatus.Parked, parkedAt, null, null, provider is null ? "garbage" : null);

    private async Task StoreCallbackAsync(string eventId, string orderId)
    {
        var paymentEvent = new PaymentEvent("standard", eventId, PaymentEventKind.Succeeded, "pay-" + orderId, orderId, 1500, "EUR", DateTimeOffset.UtcNow);
        await Pipeline.Service<InboxStore>().TryAddAsync(new InboxEntry("standard", eventId, [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Queued, paymentEvent, null));
    }

    [Fact]
    public async Task Letters_that_can_never_be_redriven_are_skipped_with_a_reason_and_do_not_block_the_one_behind_them()
    {
        var letters = Pipeline.Service<DeadLetterStore>();
        for (var i = 0; i < 55; i++) // 55 letters whose callback is not in the inbox (purged, or never stored)
        {
            await letters.ParkAsync(Letter($"standard:msg_gone{i}", "standard", $"msg_gone{i}", $"gone{i}", LongAgo.AddSeconds(i)));
        }
        await letters.ParkAsync(Letter("unreadable-1", null, null, null, LongAgo, reason: "unparseable"));
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-behind", 1);
        var order = new OrderRequest("behind1", "cust-behind1", [new OrderLine("sku-behind", 1)], 1500, "EUR", "standard", "pay-behind1");
        (await Pipeline.Http.PostAsJsonAsync("api/orders", order)).EnsureSuccessStatusCode();
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await StoreCallbackAsync("msg_behind1", order.OrderId);
        await letters.ParkAsync(Letter("standard:msg_behind1", "standard", "msg_behind1", order.OrderId, LongAgo.AddMinutes(10)));

        using var first = JsonDocument.Parse(await (await Pipeline.Http.PostAsync("api/ops/dead-letters/redrive-all", null)).Content.ReadAsStringAsync());
        using var second = JsonDocument.Parse(await (await Pipeline.Http.PostAsync("api/ops/dead-letters/redrive-all", null)).Content.ReadAsStringAsync());

        Assert.Equal("Applied", first.RootElement.GetProperty("tried").GetProperty("standard:msg_behind1").GetString());
        Assert.Single(first.RootElement.GetProperty("tried").EnumerateObject());
        var skipped = first.RootElement.GetProperty("skipped").EnumerateArray().ToList();
        Assert.Equal(55, skipped.Count);
        Assert.All(skipped, s => Assert.Equal("no_stored_callback", s.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, first.RootElement.GetProperty("continuation").ValueKind);
        Assert.Equal(56, first.RootElement.GetProperty("heldForDiscard").GetInt32()); // the 55, and the unreadable one held from the start
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        // Held letters are not walked again; they stay parked and listed until an operator discards them.
        Assert.Empty(second.RootElement.GetProperty("tried").EnumerateObject());
        Assert.Empty(second.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal(LetterStatus.Parked, (await letters.GetAsync("standard:msg_gone0"))!.Status);
        using var discard = await Pipeline.Http.PostAsJsonAsync($"api/ops/dead-letters/{Uri.EscapeDataString("standard:msg_gone0")}/discard", new { reason = "callback lost" });
        Assert.Equal(HttpStatusCode.OK, discard.StatusCode);
        using var third = JsonDocument.Parse(await (await Pipeline.Http.PostAsync("api/ops/dead-letters/redrive-all", null)).Content.ReadAsStringAsync());
        Assert.Equal(55, third.RootElement.GetProperty("heldForDiscard").GetInt32());
    }

    [Fact]
    public async Task Past_the_cap_a_continuation_reaches_the_letters_behind_the_first_fifty()
    {
        var desk = Pipeline.Service<DeadLetterDesk>();
        var letters = Pipeline.Service<DeadLetterStore>();
        var count = DeadLetterDesk.MaxRedrivesPerCall + 2;
        for (var i = 0; i < count; i++) // callbacks stored, orders still unknown: each try counts
        {
            await StoreCallbackAsync($"msg_wait{i}", $"wait{i}");
            await letters.ParkAsync(Letter($"standard:msg_wait{i}", "standard", $"msg_wait{i}", $"wait{i}", LongAgo.AddHours(1).AddSeconds(i)));
        }

        var first = await desk.RedriveAllAsync(Pipeline.Durable, Operator);
        var second = await desk.RedriveAllAsync(Pipeline.Durable, Operator, first.Continuation);

        Assert.Equal(DeadLetterDesk.MaxRedrivesPerCall, first.Tried.Count(t => t.Key.StartsWith("standard:msg_wait", StringComparison.Ordinal)));
        Assert.All(first.Tried.Values, r => Assert.Equal(RedriveResult.StillUnknownOrder, r));
        Assert.NotNull(first.Continuation);
        Assert.Equal(["standard:msg_wait50", "standard:msg_wait51"], second.Tried.Keys.Where(k => k.StartsWith("standard:msg_wait", StringComparison.Ordinal)).Order());
        Assert.Null(second.Continuation);

        for (var i = 0; i < count; i++) // leave the class's other test only its own letters
        {
            Assert.True(await desk.DiscardAsync($"standard:msg_wait{i}", "test done", Operator));
        }
    }
}
