using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.Functions;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The reconciler spaces its active queries of one unpaid order at doubling intervals.</summary>
public sealed class ActiveQueryScheduleTests(RecoveryFixture fixture) : IClassFixture<RecoveryFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private static readonly ReconcilerOptions Defaults = new() { ActiveQueryAfterSeconds = 120, ActiveQueryMaxIntervalSeconds = 1_800 };

    private static OrderRecord Awaiting(DateTimeOffset registeredAt, DateTimeOffset? lastQueryAt = null, int queries = 0, string answer = "Pending") =>
        new("o", "c", "standard", "p", 100, "EUR", OrderStatus.AwaitingPayment, null, "AwaitingPayment", null, registeredAt, registeredAt, [],
            LastQueryAt: lastQueryAt, LastQueryAnswer: lastQueryAt is null ? null : answer, ActiveQueries: queries);

    [Fact]
    public void Each_wait_between_queries_doubles_up_to_the_cap()
    {
        var waits = Enumerable.Range(1, 7).Select(n => ActiveQuerySchedule.IntervalAfter(n, Defaults).TotalSeconds);

        Assert.Equal([120, 240, 480, 960, 1_800, 1_800, 1_800], waits);
        Assert.Equal(TimeSpan.FromSeconds(1_800), ActiveQuerySchedule.IntervalAfter(int.MaxValue, Defaults));
    }

    [Fact]
    public void An_order_is_due_once_old_enough_and_then_once_its_wait_since_the_last_query_is_over()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.False(ActiveQuerySchedule.IsDue(Awaiting(now.AddSeconds(-119)), now, Defaults));
        Assert.True(ActiveQuerySchedule.IsDue(Awaiting(now.AddSeconds(-120)), now, Defaults));
        // Queried twice, the last 215 s ago: the wait after the second query is 240 s, less a tenth for the timer.
        Assert.False(ActiveQuerySchedule.IsDue(Awaiting(now.AddHours(-1), now.AddSeconds(-215), queries: 2), now, Defaults));
        Assert.True(ActiveQuerySchedule.IsDue(Awaiting(now.AddHours(-1), now.AddSeconds(-216), queries: 2), now, Defaults));
    }

    [Fact]
    public void A_gateway_that_answered_paid_is_asked_again_at_the_next_run()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.True(ActiveQuerySchedule.IsDue(Awaiting(now.AddHours(-1), now.AddSeconds(-1), queries: 4, answer: "Paid 900 EUR"), now, Defaults));
        Assert.False(ActiveQuerySchedule.IsDue(Awaiting(now.AddHours(-1), now.AddSeconds(-1), queries: 4, answer: "failed: TimeoutException"), now, Defaults));
    }

    [Fact]
    public async Task The_reconciler_leaves_an_order_queried_recently_and_queries_it_again_once_its_wait_is_over()
    {
        // The fixture's first query comes after 3,600 s, and every later wait is the default cap, 1,800 s
        // (27 min with the timer's slack).
        var storage = Pipeline.Service<PaymentsStorage>();
        var order = new OrderRequest("aqs1", "cust-aqs1", [new OrderLine("sku-aqs", 1)], 900, "EUR", "standard", "pay-aqs1");
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-aqs", 1);
        await Pipeline.CreatePaymentAsync(order);
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()); // whole seconds: stored times round-trip exactly
        Assert.True(await new OrderBook(storage, new FakeTimeProvider(now.AddHours(-2))).TryRegisterAsync(order, Guid.NewGuid()));
        var queriedAt = now.AddMinutes(-26);
        await new OrderBook(storage, new FakeTimeProvider(queriedAt)).NoteActiveQueryAsync(order.OrderId, "Pending", queriesSoFar: 1);

        await Pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), Pipeline.Durable, CancellationToken.None);

        var untouched = (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!;
        Assert.Equal((queriedAt, 1), (untouched.LastQueryAt, untouched.ActiveQueries));

        queriedAt = now.AddMinutes(-31);
        await new OrderBook(storage, new FakeTimeProvider(queriedAt)).NoteActiveQueryAsync(order.OrderId, "Pending", queriesSoFar: 1);

        await Pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), Pipeline.Durable, CancellationToken.None);

        var queried = (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!;
        Assert.Equal(2, queried.ActiveQueries);
        Assert.True(queried.LastQueryAt >= now, $"queried at {queried.LastQueryAt:O}, run at {now:O}");
        Assert.Equal(nameof(GatewayPaymentState.Pending), queried.LastQueryAnswer);
    }
}
