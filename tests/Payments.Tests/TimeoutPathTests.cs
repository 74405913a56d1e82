using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A short payment window and a gateway whose webhooks never arrive: the saga must ask the gateway
/// itself. The other answers the gateway can give are in Payments.Saga.Tests (PaymentWindowTests.cs).
/// </summary>
public sealed class TimeoutFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "timeout",
        settings => settings["Saga:PaymentWindowSeconds"] = "3",
        gateway => gateway with { LossRate = 1.0 });
}

public sealed class TimeoutPathTests(TimeoutFixture fixture) : IClassFixture<TimeoutFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StockLedger Stock => Pipeline.Service<StockLedger>();

    [Fact]
    public async Task Timeout_with_gateway_saying_unpaid_cancels_and_closes_the_payment()
    {
        await Stock.SetLevelAsync("sku-t1", 4);
        var order = await Pipeline.RegisterOrderAsync("tunpaid", sku: "sku-t1", quantity: 4);

        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), outcome);
        Assert.Equal("closed", Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).Status);
        Assert.Equal(new StockLevel("sku-t1", 4, 0, 0), await Stock.GetLevelAsync("sku-t1"));
    }
}
