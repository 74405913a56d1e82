using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Stripe orders on the real pipeline (Azurite, the Durable engine), webhooks lost so the saga must
/// ask the gateway itself. The simulator connector's own API is pointed at a dead port: every
/// outbound call that reaches the simulator went through the Stripe connector, i.e. Stripe.net.
/// </summary>
public sealed class StripeEndToEndFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "stripee2e",
        settings =>
        {
            settings["Saga:PaymentWindowSeconds"] = "3";
            settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        },
        gateway => gateway with { LossRate = 1.0 });
}

public sealed class StripeEndToEndTests(StripeEndToEndFixture fixture) : IClassFixture<StripeEndToEndFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StockLedger Stock => Pipeline.Service<StockLedger>();

    [Fact]
    public async Task A_stripe_order_that_times_out_is_queried_and_its_intent_canceled_through_stripe_net()
    {
        await Stock.SetLevelAsync("sku-se1", 2);
        var order = await Pipeline.RegisterOrderAsync("se-timeout", sku: "sku-se1", quantity: 2, provider: "stripe");

        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), outcome);
        Assert.Equal("closed", Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).Status);
        Assert.Equal(new StockLevel("sku-se1", 2, 0, 0), await Stock.GetLevelAsync("sku-se1"));
    }

    [Fact]
    public async Task A_stripe_order_paid_the_wrong_amount_is_refunded_once_through_stripe_net()
    {
        await Stock.SetLevelAsync("sku-se2", 1);
        var order = await Pipeline.RegisterOrderAsync("se-mismatch", amount: 2500, sku: "sku-se2", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);

        // The window closes, the query finds the intent succeeded with 2400: not the order's amount.
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), outcome);
        var refund = Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal(2400, refund.AmountMinor);
        Assert.Equal(2400, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        Assert.Equal(new StockLevel("sku-se2", 1, 0, 0), await Stock.GetLevelAsync("sku-se2"));
    }
}
