using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class PointsOutageFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "points", settings => settings["Faults:PointsTransientFailureRate"] = "1.0");
}

public sealed class PointsFailureTests(PointsOutageFixture fixture) : IClassFixture<PointsOutageFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task Points_that_never_succeed_are_parked_and_the_paid_order_still_completes_without_refund()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-p", 3);
        var order = await Pipeline.RegisterOrderAsync("pts1", amount: 5000, sku: "sku-p");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);
        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, "points_parked", PointsParked: true), outcome);
        Assert.Equal(new StockLevel("sku-p", 2, 0, 1), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-p"));
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        Assert.Equal(0, await Pipeline.RefundCountAsync(order.PaymentId));
        var parked = await Collect.AllAsync(Pipeline.Service<ParkedItems>().ListAsync());
        var item = Assert.Single(parked);
        Assert.Equal((order.OrderId, "points_grant"), (item.OrderId, item.Kind));
        Assert.Contains("Injected transient points failure", item.Detail);
    }
}
