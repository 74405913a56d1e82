using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Participants;

/// <summary>The points ledger's reversals on Azurite: every change of a customer's points traceable, none counted twice.</summary>
public sealed class PointsReversalTests
{
    /// <summary>
    /// Two refunds of one order observed at once (customer service's 40 % and the rest, both paid when
    /// the notices land) each reverse by the share refunded so far: together they take back the grant
    /// once, never twice, however their reads and writes interleave.
    /// </summary>
    [Fact]
    public async Task Reversals_of_one_order_racing_each_other_take_back_the_grant_once()
    {
        var points = new PointsLedger(await LedgerStorage.CreateAsync("reversal"));
        for (var round = 0; round < 10; round++)
        {
            var (customer, order) = ($"cust-r{round}", $"order-r{round}");
            await points.GrantAsync(new PointsRequest(order, customer, 95));

            var reversals = await Task.WhenAll(
                points.ReverseAsync(customer, order, "refund~as-1", "order_service:customer_return", 1m),
                points.ReverseAsync(customer, order, "refund~as-2", "order_service:customer_return", 1m),
                points.ReverseAsync(customer, order, "refund~as-1", "order_service:customer_return", 1m));

            Assert.Equal(95, reversals.Where(r => !r.AlreadyReversed).Sum(r => r.Points));
            Assert.Equal(0, await points.GetBalanceAsync(customer));
            Assert.Equal(95, (await Collect.AllAsync(points.ListReversalsAsync())).Where(r => r.OrderId == order).Sum(r => r.Points));
        }
    }
}
