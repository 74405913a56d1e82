using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Participants;

/// <summary>
/// The stock ledger as a try/confirm/cancel participant on a real Azurite: every step repeatable,
/// a release before its reserve leaves a marker (empty rollback), a reserve or commit after a
/// release is refused (no suspension), and a step racing its compensation ends consistent.
/// </summary>
public sealed class StockParticipantTests
{
    private const long Initial = 1_000;

    [Fact]
    public async Task Duplicate_reserve_commit_and_release_each_apply_once()
    {
        var stock = await NewLedgerAsync("sku-d1", "sku-d2");
        var paid = Order("dup-paid", ("sku-d1", 3), ("sku-d2", 2));
        var cancelled = Order("dup-cancel", ("sku-d1", 5));

        Assert.All(await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => stock.ReserveAsync(paid))), r => Assert.Equal(ReserveResult.Reserved, r));
        Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(cancelled));
        Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(cancelled));
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => stock.CommitAsync(paid))), r => Assert.Equal(CommitResult.Committed, r));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => stock.ReleaseAsync(cancelled)));

        Assert.Equal(new StockLevel("sku-d1", Initial - 3, 0, 3), await stock.GetLevelAsync("sku-d1"));
        Assert.Equal(new StockLevel("sku-d2", Initial - 2, 0, 2), await stock.GetLevelAsync("sku-d2"));
        Assert.Equal(ReservationState.Released, await stock.GetReservationAsync("sku-d1", "dup-cancel"));
    }

    [Fact]
    public async Task A_release_before_any_reserve_leaves_a_released_marker_and_holds_nothing()
    {
        var stock = await NewLedgerAsync("sku-e1", "sku-e2");
        var order = Order("empty-rollback", ("sku-e1", 4), ("sku-e2", 1));

        await stock.ReleaseAsync(order);
        await stock.ReleaseAsync(order);

        Assert.Equal(ReservationState.Released, await stock.GetReservationAsync("sku-e1", order.OrderId));
        Assert.Equal(ReservationState.Released, await stock.GetReservationAsync("sku-e2", order.OrderId));
        await AssertUntouchedAsync(stock, "sku-e1", "sku-e2");
    }

    [Fact]
    public async Task A_reserve_or_commit_arriving_after_the_release_is_refused_and_holds_nothing()
    {
        var stock = await NewLedgerAsync("sku-s1", "sku-s2");
        // Empty rollback first, then the paused worker's stale reserve and commit land.
        var neverReserved = Order("stale-after-empty", ("sku-s1", 2), ("sku-s2", 2));
        await stock.ReleaseAsync(neverReserved);
        Assert.Equal(ReserveResult.OutOfStock, await stock.ReserveAsync(neverReserved));
        Assert.Equal(CommitResult.Failed, await stock.CommitAsync(neverReserved));

        // Reserved, released, then a stale reserve and a stale commit.
        var released = Order("stale-after-release", ("sku-s1", 3), ("sku-s2", 1));
        Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(released));
        await stock.ReleaseAsync(released);
        Assert.Equal(ReserveResult.OutOfStock, await stock.ReserveAsync(released));
        Assert.Equal(CommitResult.Failed, await stock.CommitAsync(released));

        // Only one line was marked (the release of a reserve that failed on its second line): the whole order is refused.
        var halfMarked = Order("stale-half-marked", ("sku-s1", 1), ("sku-s2", 1));
        await stock.ReleaseAsync(new StockRequest(halfMarked.OrderId, [halfMarked.Lines[1]]));
        Assert.Equal(ReserveResult.OutOfStock, await stock.ReserveAsync(halfMarked));

        foreach (var orderId in new[] { neverReserved.OrderId, released.OrderId, halfMarked.OrderId })
        {
            Assert.Equal(ReservationState.Released, await stock.GetReservationAsync("sku-s1", orderId));
            Assert.Equal(ReservationState.Released, await stock.GetReservationAsync("sku-s2", orderId));
        }
        await AssertUntouchedAsync(stock, "sku-s1", "sku-s2");
    }

    [Fact]
    public async Task Commit_is_all_or_nothing_per_order_and_the_release_un_commits_a_partial_commit()
    {
        var stock = await NewLedgerAsync("sku-p1", "sku-p2");

        // The second line is no longer reserved: the commit fails before committing the first.
        var lost = Order("partial-checked", ("sku-p1", 2), ("sku-p2", 3));
        Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(lost));
        await stock.ReleaseAsync(new StockRequest(lost.OrderId, [lost.Lines[1]]));
        Assert.Equal(CommitResult.Failed, await stock.CommitAsync(lost));
        Assert.Equal(ReservationState.Reserved, await stock.GetReservationAsync("sku-p1", lost.OrderId));

        // A commit that got through its first line only (its worker died, its retries ran out):
        // the saga's compensation releases the order, which un-commits that line.
        var died = Order("partial-died", ("sku-p1", 4), ("sku-p2", 1));
        Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(died));
        Assert.Equal(CommitResult.Committed, await stock.CommitAsync(new StockRequest(died.OrderId, [died.Lines[0]])));
        Assert.Equal(new StockLevel("sku-p1", Initial - 6, 2, 4), await stock.GetLevelAsync("sku-p1"));

        await stock.ReleaseAsync(lost);
        await stock.ReleaseAsync(died);

        await AssertUntouchedAsync(stock, "sku-p1", "sku-p2");
        Assert.All(await Collect.AllAsync(stock.ListReservationsAsync()), r => Assert.Equal(ReservationState.Released, r.State));
    }

    [Fact]
    public async Task Reserve_and_commit_racing_their_release_end_with_nothing_held_and_counts_conserved()
    {
        var stock = await NewLedgerAsync("sku-r1", "sku-r2");
        const int Rounds = 30;
        var rounds = Enumerable.Range(0, Rounds).Select(async i =>
        {
            var order = Order($"race{i}", ("sku-r1", 1 + (i % 3)), ("sku-r2", 2));
            if (i % 2 == 0)
            {
                // The stale reserve against its compensation.
                await Task.WhenAll(Task.Run(() => stock.ReserveAsync(order)), Task.Run(() => stock.ReleaseAsync(order)));
            }
            else
            {
                // A commit against its compensation, on a reserved order.
                Assert.Equal(ReserveResult.Reserved, await stock.ReserveAsync(order));
                await Task.WhenAll(Task.Run(() => stock.CommitAsync(order)), Task.Run(() => stock.ReleaseAsync(order)));
            }
            return order;
        });
        var orders = await Task.WhenAll(rounds);

        // Whichever won each race, the order's release has run: nothing may stay reserved or committed for it,
        // and a late copy of either step is still refused.
        foreach (var order in orders)
        {
            Assert.Equal(ReserveResult.OutOfStock, await stock.ReserveAsync(order));
            Assert.Equal(CommitResult.Failed, await stock.CommitAsync(order));
        }
        var rows = await Collect.AllAsync(stock.ListReservationsAsync());
        Assert.Equal(Rounds * 2, rows.Count);
        Assert.All(rows, r => Assert.Equal(ReservationState.Released, r.State));
        await AssertUntouchedAsync(stock, "sku-r1", "sku-r2");
    }

    private static async Task<StockLedger> NewLedgerAsync(params string[] skus)
    {
        var stock = new StockLedger(await LedgerStorage.CreateAsync("stock"));
        foreach (var sku in skus)
        {
            await stock.SetLevelAsync(sku, Initial);
        }
        return stock;
    }

    private static StockRequest Order(string orderId, params (string Sku, int Quantity)[] lines) =>
        new(orderId, [.. lines.Select(l => new OrderLine(l.Sku, l.Quantity))]);

    private static async Task AssertUntouchedAsync(StockLedger stock, params string[] skus)
    {
        foreach (var sku in skus)
        {
            Assert.Equal(new StockLevel(sku, Initial, 0, 0), await stock.GetLevelAsync(sku));
        }
    }
}
