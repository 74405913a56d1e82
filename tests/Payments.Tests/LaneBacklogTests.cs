using System.Net;
using System.Net.Http.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class LaneBacklogFixture : PipelineFixture
{
    // A first back-off of five minutes: anything applied within a test was applied by a drain or by
    // the registration's nudge, never by the back-off running out.
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("backlog", settings =>
    {
        settings["Lane:BackoffSeconds"] = "300";
        settings["Lane:MaxBackoffSeconds"] = "300";
        settings["Faults:IntakeDispatchFailureRate"] = "0";
    });
}

/// <summary>
/// Issue 15: the retry lane drains a backlog at the rate storage allows (several receivers, for as
/// long as messages are due), two drains at once apply each callback once in effect, a registration
/// applies the callbacks that outran its order at once, and an order-service outage ends with every
/// callback applied and none parked. Real Azurite, real Durable engine.
/// </summary>
public sealed class LaneBacklogTests(LaneBacklogFixture fixture) : IClassFixture<LaneBacklogFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private RetryLane Lane(int batchSize = 32, int concurrency = 4, int drainSeconds = 120, int scaleOutWorkers = 0) =>
        ActivatorUtilities.CreateInstance<RetryLane>(Pipeline.Host.Services, Options.Create(new LaneOptions
        {
            BatchSize = batchSize, DrainConcurrency = concurrency, DrainSeconds = drainSeconds, ScaleOutWorkers = scaleOutWorkers,
            BackoffSeconds = 300, MaxBackoffSeconds = 300,
        }));

    private static OrderRequest Order(string id, string sku) => new(id, "cust-" + id, [new OrderLine(sku, 1)], 1500, "EUR", "standard", "pay-" + id);

    private static PaymentEvent Success(OrderRequest order, string eventId) =>
        new("standard", eventId, PaymentEventKind.Succeeded, order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, DateTimeOffset.UtcNow);

    private async Task<HttpResponseMessage> PostSuccessAsync(OrderRequest order, string eventId) =>
        await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, eventId,
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor)));

    /// <summary>A callback stored in the inbox in <paramref name="state"/> with its lane message due now.</summary>
    private async Task EnqueueDueAsync(PaymentEvent paymentEvent, InboxState state, int copies = 1)
    {
        await Pipeline.Service<InboxStore>().TryAddAsync(new InboxEntry(paymentEvent.Provider, paymentEvent.EventId, [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, state, paymentEvent, null));
        var queue = await Pipeline.Service<PaymentsStorage>().QueueAsync("retry-lane");
        for (var i = 0; i < copies; i++)
        {
            await queue.SendMessageAsync(BinaryData.FromObjectAsJson(LaneMessage.For(paymentEvent, 1, DateTimeOffset.UtcNow)));
        }
    }

    private async Task RegisterAsync(OrderRequest order)
    {
        using var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
    }

    [Fact]
    public async Task One_drain_keeps_receiving_while_messages_are_due_not_one_batch_per_run()
    {
        var lane = Lane(batchSize: 4, concurrency: 2);
        await DrainEmptyAsync(lane);
        for (var i = 0; i < 30; i++)
        {
            // Applied already: the lane only completes the message, so this measures the drain's loop.
            await EnqueueDueAsync(new PaymentEvent("standard", $"msg_loop{i}", PaymentEventKind.Succeeded, "pay-loop", "loop", 100, "EUR", DateTimeOffset.UtcNow), InboxState.Dispatched);
        }

        var report = await lane.DrainAsync(Pipeline.Durable);

        // Two receivers of four messages each per receive call: a single pass would have taken 8.
        Assert.Equal(30, report.Applied);
        Assert.False(report.BudgetSpent);
        Assert.Equal(0, await DueMessagesAsync());
    }

    [Fact]
    public async Task Two_concurrent_drains_apply_each_callback_once_in_effect_even_when_its_message_comes_twice()
    {
        var lane = Lane(batchSize: 2, concurrency: 3);
        await DrainEmptyAsync(lane);
        var orders = Enumerable.Range(0, 6).Select(i => Order($"twice{i}", "sku-twice")).ToArray();
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-twice", orders.Length);
        foreach (var order in orders)
        {
            await Pipeline.CreatePaymentAsync(order);
            await RegisterAsync(order);
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
            // At-least-once: every callback's lane message is there twice.
            await EnqueueDueAsync(Success(order, "msg_" + order.OrderId), InboxState.Queued, copies: 2);
        }

        var reports = await Task.WhenAll(lane.DrainAsync(Pipeline.Durable), lane.DrainAsync(Pipeline.Durable));

        Assert.Equal(orders.Length * 2, reports.Sum(r => r.Applied));
        Assert.All(reports, r => Assert.Equal((0, 0, 0), (r.Retried, r.DeadLettered, r.LocksLost)));
        foreach (var order in orders)
        {
            Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
            Assert.Single(await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListGrantsAsync()), g => g.OrderId == order.OrderId);
            Assert.Equal(15, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
            Assert.Equal(0, await Pipeline.RefundCountAsync(order.PaymentId));
        }
        Assert.Equal(new StockLevel("sku-twice", 0, 0, orders.Length), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-twice"));
    }

    [Fact]
    public async Task A_backlog_that_outlasts_one_drain_is_finished_by_scale_out_workers()
    {
        var lane = Lane(batchSize: 1, concurrency: 1, drainSeconds: 1, scaleOutWorkers: 2);
        await DrainEmptyAsync(Lane());
        for (var i = 0; i < 400; i++)
        {
            await EnqueueDueAsync(new PaymentEvent("standard", $"msg_wide{i}", PaymentEventKind.Succeeded, "pay-wide", "wide", 100, "EUR", DateTimeOffset.UtcNow), InboxState.Dispatched);
        }

        // One receiver taking one message at a time cannot clear 400 in its one-second budget.
        var first = await lane.DrainOnScheduleAsync(Pipeline.Durable);

        Assert.True(first.BudgetSpent);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var fanOut = await Pipeline.Durable.WaitForInstanceCompletionAsync(LaneScaleOut.InstanceId, getInputsAndOutputs: true, cts.Token);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, fanOut.RuntimeStatus);
        Assert.Equal(0, await DueMessagesAsync());
    }

    [Fact]
    public async Task A_registration_applies_the_callback_that_outran_its_order_without_waiting_for_the_back_off()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-nudge", 1);
        var order = Order("nudge1", "sku-nudge");
        await Pipeline.CreatePaymentAsync(order);
        using (var reply = await PostSuccessAsync(order, "msg_nudge1"))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }
        Assert.Equal(InboxState.Queued, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_nudge1"))!.State);

        await RegisterAsync(order);

        // No drain runs, and the lane message is invisible for five minutes: only the nudge can apply it.
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId, TimeSpan.FromSeconds(90))).Status);
        Assert.Equal(InboxState.Raised, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_nudge1"))!.State);
        Assert.Empty(await Pipeline.Service<LaneWaitingIndex>().ListAsync(order.OrderId));
    }

    [Fact]
    public async Task A_nudge_raises_a_waiting_callback_only_once_the_engine_has_started_the_saga_so_the_raise_is_not_dropped()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-pending", 1);
        var order = Order("pending1", "sku-pending");
        await Pipeline.CreatePaymentAsync(order);
        using (var reply = await PostSuccessAsync(order, "msg_pending1"))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }
        Assert.Equal(InboxState.Queued, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_pending1"))!.State);
        // What the registration does: its row, then its saga, which stays Pending until the provider has
        // polled its control queue and run the first episode; the nudge follows at once.
        Assert.True(await Pipeline.Service<OrderBook>().TryRegisterAsync(order, Guid.NewGuid()));
        var saga = Pipeline.Service<IOptions<SagaOptions>>().Value;
        await Pipeline.Durable.ScheduleNewOrchestrationInstanceAsync(OrderSaga.Name, new OrderSagaInput(order, saga.ToSettings()),
            new StartOrchestrationOptions(OrderSaga.InstanceId(order.OrderId)) { Version = saga.Version });
        var engine = new DropsEventsBeforeStart(Pipeline.Durable);

        var applied = await Pipeline.Service<PaymentDispatch>().ApplyWaitingAsync(engine, order.OrderId);

        // Raised before the saga started, the event would be discarded and the saga would wait out its
        // window: the lane message (five minutes away) finds the row raised and raises nothing again.
        Assert.Equal(0, engine.Discarded);
        Assert.Equal(1, applied);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId, TimeSpan.FromSeconds(60))).Status);
        Assert.Empty(await Pipeline.Service<LaneWaitingIndex>().ListAsync(order.OrderId));
    }

    [Fact]
    public async Task A_nudge_whose_saga_does_not_start_in_time_leaves_the_callback_listed_and_on_the_lane_unraised()
    {
        var order = Order("pending2", "sku-pending");
        await Pipeline.CreatePaymentAsync(order);
        using (var reply = await PostSuccessAsync(order, "msg_pending2"))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }
        Assert.True(await Pipeline.Service<OrderBook>().TryRegisterAsync(order, Guid.NewGuid()));
        // A saga whose start the engine keeps deferring: Pending for longer than the nudge's patience.
        var engine = new DropsEventsBeforeStart(Pipeline.Durable, stuckPending: OrderSaga.InstanceId(order.OrderId));

        var applied = await Pipeline.Service<PaymentDispatch>().ApplyWaitingAsync(engine, order.OrderId);

        // Nothing raised into the Pending saga: the callback is still queued and listed, for its lane message.
        Assert.Equal((0, 0), (applied, engine.Discarded));
        Assert.Equal(InboxState.Queued, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_pending2"))!.State);
        Assert.Single(await Pipeline.Service<LaneWaitingIndex>().ListAsync(order.OrderId));
    }

    [Fact]
    public async Task An_order_service_outage_ends_with_every_callback_applied_and_none_parked()
    {
        var orders = Enumerable.Range(0, 5).Select(i => Order($"outage{i}", "sku-outage")).ToArray();
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-outage", orders.Length);

        // The order service is down: payments and their webhooks go on, registrations do not.
        foreach (var order in orders)
        {
            await Pipeline.CreatePaymentAsync(order);
            using var reply = await PostSuccessAsync(order, "msg_" + order.OrderId);
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }
        Assert.InRange((await Pipeline.Service<IMessageLane>().CountAsync(CancellationToken.None))!.Value, orders.Length, long.MaxValue);

        // It comes back: the registrations it held arrive, all at once.
        await Task.WhenAll(orders.Select(RegisterAsync));

        foreach (var order in orders)
        {
            Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
            Assert.Contains((await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_" + order.OrderId))!.State, new[] { InboxState.Raised, InboxState.Dispatched });
        }
        Assert.Empty(await Collect.AllAsync(Pipeline.Service<DeadLetterStore>().ListAsync()));
        Assert.DoesNotContain(await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync()), p => p.OrderId.StartsWith("outage", StringComparison.Ordinal));
    }

    /// <summary>Messages due now (other tests' messages waiting out their five-minute back-off are not).</summary>
    private async Task<int> DueMessagesAsync()
    {
        var queue = await Pipeline.Service<PaymentsStorage>().QueueAsync("retry-lane");
        return (await queue.PeekMessagesAsync(32)).Value.Length;
    }

    private async Task DrainEmptyAsync(RetryLane lane) => await lane.DrainAsync(Pipeline.Durable);
}
