using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Demo.Invariants;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline whose own table storage goes through a proxy that can freeze; intake's budget is 2 s.</summary>
public sealed class FrozenStorageFixture : IAsyncLifetime
{
    private PipelineHost? pipeline;
    private StallingStorageProxy? proxy;

    public PipelineHost Pipeline => pipeline ?? throw new InvalidOperationException("Fixture not started.");

    public StallingStorageProxy Proxy => proxy ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        proxy = await StallingStorageProxy.StartAsync(await Azurite.SharedAsync());
        pipeline = await PipelineHost.StartAsync("frozen", s =>
        {
            s["PaymentsStorage:ConnectionString"] = proxy.ConnectionString;
            s["Intake:StorageBudgetSeconds"] = "2";
        },
        // The gateway takes payments and sends no webhooks: the tests post each callback themselves, and again.
        gateway: o => o with { LossRate = 1.0 });
        // Tables exist before anything stalls: what the tests stall is the callbacks' own requests.
        var storage = pipeline.Service<PaymentsStorage>();
        await storage.TableAsync(TableNames.Inbox);
        await storage.TableAsync(TableNames.LaneWaiting);
    }

    public async Task DisposeAsync()
    {
        if (pipeline is not null)
        {
            await pipeline.DisposeAsync();
        }
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }
    }
}

/// <summary>
/// Storage frozen under intake (issue 25, item 8): every callback is answered within intake's storage
/// budget (503 while nothing could be stored, 200 once it was), nothing is half-stored, and after
/// storage comes back each redelivered callback is applied exactly once.
/// </summary>
public sealed class FrozenStorageIntakeTests(FrozenStorageFixture fixture) : IClassFixture<FrozenStorageFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StallingStorageProxy Proxy => fixture.Proxy;
    private TimeSpan Budget => Pipeline.Service<IOptions<IntakeOptions>>().Value.StorageBudget;

    /// <summary>
    /// How long a gateway waits here for its answer: generous over the budget, and under the storage
    /// client's network timeout of one try (10 s), so an answer in time can only be the budget's.
    /// </summary>
    private TimeSpan Bound => Budget + TimeSpan.FromSeconds(7);

    [Fact]
    public async Task Callbacks_posted_while_storage_is_frozen_are_answered_503_within_the_budget_and_each_redelivery_is_applied_once()
    {
        const string sku = "sku-frozen";
        await Pipeline.Service<StockLedger>().SetLevelAsync(sku, 50);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var orders = new List<OrderRequest>();
        for (var i = 0; i < 12; i++)
        {
            var order = await Pipeline.RegisterOrderAsync($"frozen{i}", amount: 1000 + i, sku: sku);
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
            await Pipeline.Gateway.PayAsync(order.PaymentId);
            orders.Add(order);
        }
        var callbacks = orders.Select(o => (EventId: "msg_" + o.OrderId, Order: o, Body: TestWebhooks.StandardPayment("payment.succeeded", o.PaymentId, o.OrderId, o.AmountMinor))).ToArray();
        var (stopped, lateAnswers) = (callbacks[..6], callbacks[6..]);

        try
        {
            // Storage stopped: not even the order's row can be read.
            Proxy.Freeze();
            var whileStopped = await Task.WhenAll(stopped.Select(c => PostAnsweredWithinBoundAsync(c.EventId, c.Body)));
            Proxy.Thaw();
            // Storage that writes and does not answer: the inbox insert is carried out, its answer is late.
            Proxy.WithholdAnswers(Pipeline.Prefix + TableNames.Inbox);
            var whileLate = await Task.WhenAll(lateAnswers.Select(c => PostAnsweredWithinBoundAsync(c.EventId, c.Body)));

            Assert.All(whileStopped.Concat(whileLate), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
            Assert.True(Proxy.Held >= stopped.Length, $"The freeze held {Proxy.Held} requests.");
            Assert.True(Proxy.Withheld >= lateAnswers.Length, $"{Proxy.Withheld} answers were withheld.");
        }
        finally
        {
            Proxy.Thaw();
        }

        // Nothing half-stored: a callback answered 503 is absent from the inbox, or there whole.
        var inbox = Pipeline.Service<InboxStore>();
        foreach (var (eventId, order, body) in callbacks)
        {
            if (await inbox.GetAsync("standard", eventId) is { } row)
            {
                AssertWhole(row, order, body);
            }
        }
        // The inserts whose answers were withheld were carried out: those callbacks are stored though answered 503.
        foreach (var (eventId, order, body) in lateAnswers)
        {
            AssertWhole(Assert.IsType<InboxEntry>(await inbox.GetAsync("standard", eventId)), order, body);
        }

        // Storage is back; the gateway delivers each callback again.
        foreach (var (eventId, _, body) in callbacks)
        {
            Assert.Equal(HttpStatusCode.OK, await PostAnsweredWithinBoundAsync(eventId, body));
        }
        foreach (var order in orders)
        {
            Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        }
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable); // settles the successes raised to their sagas (timers are off here)

        var rows = await Collect.AllAsync(inbox.ListAllAsync());
        foreach (var (eventId, order, body) in callbacks)
        {
            var row = Assert.Single(rows, r => r.EventId == eventId);
            AssertWhole(row, order, body);
            Assert.Equal(InboxState.Dispatched, row.State);
        }
        Assert.Equal(new StockLevel(sku, 50 - orders.Count, 0, orders.Count), await Pipeline.Service<StockLedger>().GetLevelAsync(sku));
        var grants = await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListGrantsAsync());
        Assert.All(orders, o => Assert.Single(grants, g => g.OrderId == o.OrderId));
        await AssertEveryInvariantHoldsAsync(sku, 50, since);
    }

    [Fact]
    public async Task A_dispatch_that_outlasts_the_budget_after_the_insert_is_acknowledged_and_its_callback_applied_once()
    {
        const string sku = "sku-frozen-late";
        await Pipeline.Service<StockLedger>().SetLevelAsync(sku, 5);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        // The callback outruns its order: stored, then dispatched to the retry lane and its order's
        // waiting list, whose answers storage withholds.
        var order = new OrderRequest("frozenlate1", "cust-frozenlate1", [new OrderLine(sku, 1)], 2500, "EUR", "standard", "pay-frozenlate1");
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        var eventId = "msg_" + order.OrderId;
        var body = TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor);

        HttpStatusCode answer;
        try
        {
            Proxy.WithholdAnswers(Pipeline.Prefix + TableNames.LaneWaiting);
            answer = await PostAnsweredWithinBoundAsync(eventId, body);
            Assert.True(Proxy.Withheld > 0, "No answer was withheld.");
        }
        finally
        {
            Proxy.Thaw();
        }

        // Stored, so acknowledged: the rest of the dispatch is the relay's, the lane's and the registration's.
        Assert.Equal(HttpStatusCode.OK, answer);
        var inbox = Pipeline.Service<InboxStore>();
        AssertWhole(Assert.IsType<InboxEntry>(await inbox.GetAsync("standard", eventId)), order, body);

        using (var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }
        // Its lane message, whichever of the registration's nudge and the lane comes first (timers are off here).
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Pipeline.Service<RetryLane>().DrainAsync(Pipeline.Durable);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(HttpStatusCode.OK, await PostAnsweredWithinBoundAsync(eventId, body)); // the gateway's redelivery: a duplicate
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);

        var row = Assert.Single(await Collect.AllAsync(inbox.ListAllAsync()), r => r.EventId == eventId);
        Assert.Equal(InboxState.Dispatched, row.State);
        Assert.Equal(new StockLevel(sku, 4, 0, 1), await Pipeline.Service<StockLedger>().GetLevelAsync(sku));
        Assert.Single(await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListGrantsAsync()), g => g.OrderId == order.OrderId);
        await AssertEveryInvariantHoldsAsync(sku, 5, since);
    }

    /// <summary>Posts a signed callback as the gateway does, failing the test if no answer comes within <see cref="Bound"/>.</summary>
    private async Task<HttpStatusCode> PostAnsweredWithinBoundAsync(string eventId, string body)
    {
        using var request = TestWebhooks.Standard(Pipeline.Host.BaseAddress, eventId, body);
        using var gatewayTimeout = new CancellationTokenSource(Bound);
        try
        {
            using var reply = await Pipeline.Http.SendAsync(request, gatewayTimeout.Token);
            return reply.StatusCode;
        }
        catch (OperationCanceledException) when (gatewayTimeout.IsCancellationRequested)
        {
            Assert.Fail($"Callback {eventId} had no answer within {Bound} (intake's storage budget is {Budget}).");
            throw;
        }
    }

    private static void AssertWhole(InboxEntry row, OrderRequest order, string body)
    {
        Assert.Equal(Encoding.UTF8.GetBytes(body), row.Body);
        Assert.Equal(["webhook-id", "webhook-signature", "webhook-timestamp"], row.SignatureHeaders.Keys.Order());
        Assert.Equal((PaymentEventKind.Succeeded, order.OrderId, order.PaymentId, order.AmountMinor),
            (row.Event!.Kind, row.Event.OrderId, row.Event.PaymentId, row.Event.AmountMinor));
    }

    /// <summary>Every money invariant: each payment settled once, stock and points conserved, inbox settled; and nothing left for an operator.</summary>
    private async Task AssertEveryInvariantHoldsAsync(string sku, long initialStock, DateTimeOffset since)
    {
        var parked = await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync());
        Assert.True(parked.Count == 0, "Parked: " + string.Join("; ", parked.Select(p => $"{p.OrderId} {p.Kind}: {p.Reason} {p.Detail}")));
        var loader = new SnapshotLoader(Pipeline.Service<PaymentsStorage>(), Pipeline.Service<IPaymentGateway>(), Pipeline.Durable);
        var snapshot = await loader.LoadAsync(Pipeline.Gateway.Payments, new Dictionary<string, long> { [sku] = initialStock }, since, gatewayRefunds: Pipeline.Gateway.Refunds);
        var report = InvariantChecker.Check(snapshot);
        Assert.True(report.AllHold, "Invariant violations:\n" + string.Join("\n", report.Violations));
    }
}
