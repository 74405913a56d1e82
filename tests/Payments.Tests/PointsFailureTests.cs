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

public sealed class StockOutageFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stockdown", settings =>
    {
        settings["Faults:StockTransientFailureRate"] = "1.0";
        settings["Saga:ActivityMaxAttempts"] = "2";
    });
}

public sealed class StockOutageTests(StockOutageFixture fixture) : IClassFixture<StockOutageFixture>
{
    [Fact]
    public async Task A_stock_ledger_that_stays_down_cancels_the_order_and_closes_the_payment_instead_of_failing_the_saga()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-down", 3);
        var order = await pipeline.RegisterOrderAsync("down1", sku: "sku-down");

        var outcome = await pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "stock_unavailable"), outcome);
        Assert.Equal("closed", pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).Status);
        Assert.Equal(new StockLevel("sku-down", 3, 0, 0), await pipeline.Service<StockLedger>().GetLevelAsync("sku-down"));
    }
}
