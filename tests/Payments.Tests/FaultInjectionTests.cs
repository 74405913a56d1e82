using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.Faults;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// The fault decorators on fakes of the ports they wrap: no storage, no engine, milliseconds. What
/// each knob breaks, what it leaves alone, and that a seed replays the same faults.
/// </summary>
public sealed class FaultInjectionTests
{
    private static readonly StockRequest BrokenOrder = new("o-broken", [new OrderLine("sku-ok", 1), new OrderLine("sku-broken", 2)]);
    private static readonly StockRequest HealthyOrder = new("o-healthy", [new OrderLine("sku-ok", 1)]);

    [Fact]
    public async Task A_seed_replays_the_same_faults_for_every_order_however_their_calls_interleave()
    {
        var orders = Enumerable.Range(1, 12).Select(i => $"order-{i}").ToArray();
        var oneOrderAtATime = orders.SelectMany(o => Enumerable.Repeat(o, 6)).ToArray();
        var roundRobinBackwards = Enumerable.Range(0, 6).SelectMany(_ => orders.Reverse()).ToArray();

        var first = await PointsFailuresAsync(seed: 42, oneOrderAtATime);
        var replay = await PointsFailuresAsync(seed: 42, roundRobinBackwards);
        var otherSeed = await PointsFailuresAsync(seed: 43, oneOrderAtATime);

        Assert.Equal(first, replay);
        Assert.NotEqual(first, otherSeed);
        Assert.Contains(first.Values, attempts => attempts.Contains('x'));
        Assert.Contains(first.Values, attempts => attempts.Contains('.'));
    }

    [Fact]
    public async Task Stock_faults_fail_reserve_and_commit_before_the_ledger_but_never_the_release_that_compensates()
    {
        var ledger = new FakeStock();
        var stock = new FaultyStockReservations(ledger, new FaultOptions { StockTransientFailureRate = 1.0 }, new FaultRandom(1), TimeProvider.System);

        var reserve = await Assert.ThrowsAsync<InjectedFaultException>(() => stock.ReserveAsync(HealthyOrder));
        await Assert.ThrowsAsync<InjectedFaultException>(() => stock.CommitAsync(HealthyOrder));
        await stock.ReleaseAsync(HealthyOrder);

        Assert.Equal("Injected transient stock failure.", reserve.Message);
        Assert.Equal((0, 0, 1), (ledger.Reserved, ledger.Committed, ledger.Released));
    }

    [Fact]
    public async Task A_permanently_failing_sku_fails_its_orders_commit_without_touching_the_ledger()
    {
        var ledger = new FakeStock();
        var stock = new FaultyStockReservations(ledger, new FaultOptions { PermanentFailureSkus = "sku-other, sku-broken" }, new FaultRandom(1), TimeProvider.System);

        Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(BrokenOrder));
        Assert.Equal(CommitResult.Failed, await stock.CommitAsync(BrokenOrder));
        Assert.Equal(CommitResult.Failed, await stock.CommitAsync(BrokenOrder));
        Assert.Equal((1, 0), (ledger.Reserved, ledger.Committed));

        Assert.Equal(CommitResult.Committed, await stock.CommitAsync(HealthyOrder));
        Assert.Equal(1, ledger.Committed);
    }

    [Fact]
    public async Task Without_rates_every_call_reaches_the_ledgers_gateway_and_dispatch()
    {
        var (ledger, points, dispatch, gateway) = (new FakeStock(), new FakePoints(), new FakeDispatch(), new FakeGateway());
        var (options, random) = (new FaultOptions(), new FaultRandom(1));
        var faultyStock = new FaultyStockReservations(ledger, options, random, TimeProvider.System);
        var faultyPoints = new FaultyPointsGrants(points, options, random, TimeProvider.System);
        var faultyDispatch = new FaultyCallbackDispatch(dispatch, options, random);
        var faultyGateway = new FaultyPaymentGateway(gateway, options, random);

        for (var i = 0; i < 20; i++)
        {
            await faultyStock.ReserveAsync(HealthyOrder with { OrderId = $"o{i}" });
            await faultyPoints.GrantAsync(new PointsRequest($"o{i}", "c", 5));
            await faultyDispatch.ApplyStoredOrDeferAsync(null!, Stored($"e{i}"));
            await faultyGateway.QueryPaymentAsync(new PaymentRef($"o{i}", "standard", $"p{i}"));
        }

        Assert.Equal((20, 20, 20, 20), (ledger.Reserved, points.Granted, dispatch.Applied, gateway.Calls));
    }

    [Fact]
    public async Task Points_faults_fail_the_grant_with_the_message_a_parked_grant_shows()
    {
        var points = new FakePoints();
        var faulty = new FaultyPointsGrants(points, new FaultOptions { PointsTransientFailureRate = 1.0 }, new FaultRandom(1), TimeProvider.System);

        var fault = await Assert.ThrowsAsync<InjectedFaultException>(() => faulty.GrantAsync(new PointsRequest("o1", "c1", 10)));

        Assert.Equal("Injected transient points failure.", fault.Message);
        Assert.Equal(0, points.Granted);
    }

    [Fact]
    public async Task Intake_dispatch_faults_fail_before_the_saga_is_touched()
    {
        var dispatch = new FakeDispatch();
        var faulty = new FaultyCallbackDispatch(dispatch, new FaultOptions { IntakeDispatchFailureRate = 1.0 }, new FaultRandom(1));

        var fault = await Assert.ThrowsAsync<InjectedFaultException>(() => faulty.ApplyStoredOrDeferAsync(null!, Stored("e1")));

        Assert.Equal("Injected dispatch failure at intake.", fault.Message);
        Assert.Equal(0, dispatch.Applied);
    }

    [Fact]
    public async Task Gateway_faults_fail_query_close_and_refund_and_leave_the_statement_alone()
    {
        var gateway = new FakeGateway();
        var faulty = new FaultyPaymentGateway(gateway, new FaultOptions { GatewayTransientFailureRate = 1.0 }, new FaultRandom(1));
        var payment = new PaymentRef("o1", "standard", "p1");

        await Assert.ThrowsAsync<InjectedFaultException>(() => faulty.QueryPaymentAsync(payment));
        await Assert.ThrowsAsync<InjectedFaultException>(() => faulty.ClosePaymentAsync(payment));
        await Assert.ThrowsAsync<InjectedFaultException>(() => faulty.RefundAsync(new RefundRequest("o1", "standard", "p1", 100, "EUR", "test"), "refund-p1"));
        var statement = await Collect.AllAsync(faulty.GetStatementAsync(new DateOnly(2026, 11, 25)));

        Assert.Equal(0, gateway.Calls);
        Assert.Single(statement);
    }

    [Fact]
    public async Task Added_latency_holds_each_ledger_step_on_the_clock_it_is_given()
    {
        var clock = new FakeTimeProvider();
        var points = new FakePoints();
        var faulty = new FaultyPointsGrants(points, new FaultOptions { AddedLatencyMs = 200 }, new FaultRandom(1), clock);

        var grant = faulty.GrantAsync(new PointsRequest("o1", "c1", 10));
        clock.Advance(TimeSpan.FromMilliseconds(199));
        var earlyCalls = points.Granted;
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(GrantResult.Granted, await grant.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, earlyCalls);
        Assert.Equal(1, points.Granted);
    }

    /// <summary>Per order, one character per attempt: <c>x</c> failed, <c>.</c> reached the ledger.</summary>
    private static async Task<SortedDictionary<string, string>> PointsFailuresAsync(int seed, IEnumerable<string> calls)
    {
        var points = new FaultyPointsGrants(new FakePoints(), new FaultOptions { PointsTransientFailureRate = 0.5 }, new FaultRandom(seed), TimeProvider.System);
        var attempts = new Dictionary<string, StringBuilder>();
        foreach (var orderId in calls)
        {
            var failed = await Record.ExceptionAsync(() => points.GrantAsync(new PointsRequest(orderId, "c", 1))) is InjectedFaultException;
            (attempts.TryGetValue(orderId, out var line) ? line : attempts[orderId] = new StringBuilder()).Append(failed ? 'x' : '.');
        }
        return new SortedDictionary<string, string>(attempts.ToDictionary(a => a.Key, a => a.Value.ToString()), StringComparer.Ordinal);
    }

    private static InboxEntry Stored(string eventId) =>
        new("standard", eventId, [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Received, Event(eventId), null);

    private static PaymentEvent Event(string eventId) =>
        new("standard", eventId, PaymentEventKind.Succeeded, "p-" + eventId, "o-" + eventId, 100, "EUR", DateTimeOffset.UnixEpoch);

    private sealed class FakeStock : IStockReservations
    {
        public int Reserved, Committed, Released;

        public Task<ReserveResult> ReserveAsync(StockRequest request, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Reserved);
            return Task.FromResult(ReserveResult.Reserved);
        }

        public Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Committed);
            return Task.FromResult(CommitResult.Committed);
        }

        public Task ReleaseAsync(StockRequest request, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Released);
            return Task.CompletedTask;
        }
    }

    private sealed class FakePoints : IPointsGrants
    {
        public int Granted;

        public Task<GrantResult> GrantAsync(PointsRequest request, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Granted);
            return Task.FromResult(GrantResult.Granted);
        }
    }

    private sealed class FakeDispatch : IStoredCallbackDispatch
    {
        public int Applied;

        public Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Applied);
            return Task.FromResult(DispatchResult.Raised);
        }

        public Task<OrderRowLook> RaiseBeforeStoringAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default) =>
            Task.FromResult(OrderRowLook.FullLookNeeded);

        public Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, OrderRowLook looked, CancellationToken ct = default) =>
            ApplyStoredOrDeferAsync(client, stored, ct);
    }

    private sealed class FakeGateway : IPaymentGateway
    {
        public int Calls;

        public Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new GatewayPayment(GatewayPaymentState.Pending, 0, "EUR"));
        }

        public Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new CloseResult(true, 0, "EUR"));
        }

        public Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new RefundResult("r1"));
        }

        public Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new GatewayRefund(RefundState.Succeeded, "r1"));
        }

        public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.Yield();
            yield return StatementEntry.Parsed(2, new StatementLine("p1", "o1", "payment", 100, "EUR", DateTimeOffset.UnixEpoch));
        }
    }
}
