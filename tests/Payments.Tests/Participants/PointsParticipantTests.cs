using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Participants;

/// <summary>
/// The points ledger as a saga participant on a real Azurite. The saga never compensates points
/// (a grant comes only after the stock commit, and the order then completes whatever happens), so
/// there is no revoke to arrive early or late: what must hold is that a duplicate, concurrent or
/// stale grant never counts twice and never loses another order's grant.
/// </summary>
public sealed class PointsParticipantTests
{
    [Fact]
    public async Task A_duplicate_grant_credits_the_order_once()
    {
        var points = new PointsLedger(await LedgerStorage.CreateAsync("points"));
        var grant = new PointsRequest("p-dup", "cust-dup", 40);

        Assert.Equal(GrantResult.Granted, await points.GrantAsync(grant));
        Assert.Equal(GrantResult.AlreadyGranted, await points.GrantAsync(grant));

        Assert.Equal(40, await points.GetBalanceAsync("cust-dup"));
        Assert.Single(await Collect.AllAsync(points.ListGrantsAsync()));
    }

    [Fact]
    public async Task Concurrent_copies_of_one_grant_credit_once_and_concurrent_grants_of_other_orders_all_count()
    {
        var points = new PointsLedger(await LedgerStorage.CreateAsync("points"));
        var orders = Enumerable.Range(0, 12).Select(i => new PointsRequest($"p-race{i}", "cust-race", 10 + i)).ToArray();

        // Every order's grant three times at once, as a paused worker's copy and its redelivery would run.
        var results = await Task.WhenAll(orders.SelectMany(o => Enumerable.Repeat(o, 3)).Select(o => Task.Run(() => points.GrantAsync(o))));

        Assert.Equal(orders.Length, results.Count(r => r == GrantResult.Granted));
        Assert.Equal(orders.Sum(o => o.Points), await points.GetBalanceAsync("cust-race"));
        Assert.Equal(orders.Select(o => o.OrderId).Order(), (await Collect.AllAsync(points.ListGrantsAsync())).Select(g => g.OrderId).Order());
    }

    [Fact]
    public async Task A_stale_grant_landing_after_later_grants_changes_nothing()
    {
        var points = new PointsLedger(await LedgerStorage.CreateAsync("points"));
        await points.GrantAsync(new PointsRequest("p-first", "cust-stale", 25));
        await points.GrantAsync(new PointsRequest("p-second", "cust-stale", 7));

        // The first order's grant again, from a worker that was frozen while the second was granted.
        Assert.Equal(GrantResult.AlreadyGranted, await points.GrantAsync(new PointsRequest("p-first", "cust-stale", 25)));

        Assert.Equal(32, await points.GetBalanceAsync("cust-stale"));
    }
}
