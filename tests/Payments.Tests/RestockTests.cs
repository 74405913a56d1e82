using System.Net;
using System.Net.Http.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Refunds followed at once, and refunds in full after the sale put the stock back on the shelf.</summary>
public sealed class RestockFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("restock", settings =>
    {
        settings["Saga:RestockOnFullRefund"] = "true";
        settings["Reconciler:RefundFirstCheckSeconds"] = "1";
        settings["Reconciler:RefundMaxCheckIntervalSeconds"] = "1";
    });
}

public sealed class RestockTests(RestockFixture fixture) : IClassFixture<RestockFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task An_order_refunded_in_full_after_its_sale_puts_its_stock_back_and_a_partial_refund_does_not()
    {
        var stock = Pipeline.Service<StockLedger>();
        await stock.SetLevelAsync("sku-rs", 3);
        var order = await Pipeline.RegisterOrderAsync("rs1", sku: "sku-rs", quantity: 2);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(new StockLevel("sku-rs", 1, 0, 2), await stock.GetLevelAsync("sku-rs"));

        await RefundAsync(order.OrderId, 1000, "rs-1");
        await WaitForAsync(order.OrderId, OrderStatus.PartiallyRefunded);
        Assert.Equal(new StockLevel("sku-rs", 1, 0, 2), await stock.GetLevelAsync("sku-rs"));

        await RefundAsync(order.OrderId, order.AmountMinor - 1000, "rs-2");
        await WaitForAsync(order.OrderId, OrderStatus.Refunded);
        Assert.Equal(new StockLevel("sku-rs", 3, 0, 0), await stock.GetLevelAsync("sku-rs"));
        Assert.Equal(ReservationState.Returned, await stock.GetReservationAsync("sku-rs", order.OrderId));
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, new Dictionary<string, long> { ["sku-rs"] = 3 });
    }

    private async Task RefundAsync(string orderId, long amount, string key)
    {
        using var reply = await Pipeline.Http.PostAsJsonAsync($"api/orders/{orderId}/refunds", new { amountMinor = amount, reason = "customer_return", idempotencyKey = key });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
    }

    private async Task WaitForAsync(string orderId, OrderStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await Pipeline.Service<OrderBook>().GetAsync(orderId))?.Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"order {orderId} never became {status}");
            await Task.Delay(200);
        }
    }
}
