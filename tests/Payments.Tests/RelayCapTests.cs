using System.Net.Http.Json;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline whose retry lane refuses every message: a callback for an order not yet registered can then never be dispatched.</summary>
public sealed class RelayCapFixture : PipelineFixture
{
    public const int Cap = 3;

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("relaycap",
        settings => settings["Reconciler:RelayMaxAttempts"] = Cap.ToString(),
        services: services => services.AddSingleton<IMessageLane, RefusingLane>());

    /// <summary>The lane's queue down for sends (the boundary that fails here); nothing is ever waiting on it.</summary>
    private sealed class RefusingLane : IMessageLane
    {
        public Task SendAsync(LaneMessage message, TimeSpan delay, CancellationToken ct) =>
            Task.FromException(new RequestFailedException(503, "The lane's queue is unavailable."));

        public Task<IReadOnlyList<ILaneDelivery>> ReceiveAsync(int maxMessages, CancellationToken ct) => Task.FromResult<IReadOnlyList<ILaneDelivery>>([]);

        public Task<IReadOnlyList<ILaneDelivery>> ReceiveDeadLettersAsync(int maxMessages, CancellationToken ct) => Task.FromResult<IReadOnlyList<ILaneDelivery>>([]);
    }
}

/// <summary>The outbox relay retries a callback it cannot dispatch a bounded number of times, then parks it for an operator.</summary>
public sealed class RelayCapTests(RelayCapFixture fixture) : IClassFixture<RelayCapFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_callback_the_relay_keeps_failing_is_parked_at_the_cap_and_an_operator_can_still_apply_it()
    {
        var order = new OrderRequest("cap1", "cust-cap1", [new OrderLine("sku-cap", 1)], 1500, "EUR", "standard", "pay-cap1");
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-cap", 1);
        await Pipeline.CreatePaymentAsync(order);
        using (await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_cap1",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
        }
        var inbox = Pipeline.Service<InboxStore>();
        Assert.Equal(InboxState.Received, (await inbox.GetAsync("standard", "msg_cap1"))!.State);
        await Task.Delay(OutboxRelay.SettleTime);
        var relay = Pipeline.Service<OutboxRelay>();

        for (var pass = 1; pass < RelayCapFixture.Cap; pass++)
        {
            var report = await relay.RelayAsync(Pipeline.Durable);
            Assert.Equal((1, 0), (report.Failed, report.Parked));
            var row = (await inbox.GetAsync("standard", "msg_cap1"))!;
            Assert.Equal((InboxState.Received, pass), (row.State, row.RelayFailures));
        }
        var last = await relay.RelayAsync(Pipeline.Durable);
        var afterCap = await relay.RelayAsync(Pipeline.Durable);

        Assert.Equal((1, 1), (last.Failed, last.Parked));
        Assert.Equal(InboxState.Parked, (await inbox.GetAsync("standard", "msg_cap1"))!.State);
        // Relayed no more: the next pass does not even read it.
        Assert.Equal((0, 0), (afterCap.Examined, afterCap.Failed));
        var letterId = OutboxRelay.LetterId("standard", "msg_cap1");
        var letter = (await Pipeline.Service<DeadLetterStore>().GetAsync(letterId))!;
        Assert.Equal((LetterStatus.Parked, OutboxRelay.ParkedReason, RelayCapFixture.Cap, "cap1"), (letter.Status, letter.Reason, letter.Attempts, letter.OrderId));
        Assert.Contains("RequestFailedException", letter.Description);

        // The order service registers the order after all; the operator re-drives the parked callback.
        using (var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order))
        {
            registered.EnsureSuccessStatusCode();
        }
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        var redrive = await Pipeline.Service<DeadLetterDesk>().RedriveAsync(letterId, Pipeline.Durable, new OperatorCaller("ops", null, Verified: false));

        Assert.Equal(RedriveResult.Applied, redrive);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        // The re-drive raised it to the saga; the relay's second look settles it like any raised success.
        Assert.Equal(1, (await relay.RelayAsync(Pipeline.Durable)).RaisedSettled);
        Assert.Equal(InboxState.Dispatched, (await inbox.GetAsync("standard", "msg_cap1"))!.State);
        Assert.Equal(LetterStatus.Redriven, (await Pipeline.Service<DeadLetterStore>().GetAsync(letterId))!.Status);
    }
}
