using System.Net;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class ProviderMismatchFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("mismatch");
}

/// <summary>
/// A well-signed callback of one gateway that names another gateway's order (a leaked secret, two
/// gateways' ids colliding) is stored and acknowledged, parked as provider_mismatch and never applied.
/// Each forged event carries one minor unit less than the order: had it reached the saga, the order
/// would end Refunded(amount_mismatch) instead of Completed by its own gateway's success.
/// </summary>
public sealed class ProviderMismatchTests(ProviderMismatchFixture fixture) : IClassFixture<ProviderMismatchFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_stripe_success_naming_a_standard_order_is_parked_and_the_order_completes_by_its_own_gateway()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mm1", 5);
        var order = await Pipeline.RegisterOrderAsync("mm1", sku: "sku-mm1");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        using (var forged = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Pipeline.Host.BaseAddress,
            TestWebhooks.StripePaymentIntent("evt_mm1", "payment_intent.succeeded", order.PaymentId, order.OrderId, order.AmountMinor - 1))))
        {
            Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        }

        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.ProviderMismatch, "stripe:evt_mm1");
        Assert.NotNull(parked);
        Assert.Equal(order.OrderId, parked.OrderId);
        Assert.Contains("registered with standard", parked.Reason, StringComparison.Ordinal);
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("stripe", "evt_mm1"))!.State);

        await PayAsync(order, "msg_mm1_paid");
        var outcome = await Pipeline.WaitForOutcomeAsync(order.OrderId);
        Assert.Equal(OrderStatus.Completed, outcome.Status);
        Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal(order.AmountMinor, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.PaidAmountMinor);
    }

    [Fact]
    public async Task A_standard_success_naming_a_stripe_order_is_parked_and_never_raised()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mm2", 5);
        var order = await Pipeline.RegisterOrderAsync("mm2", sku: "sku-mm2", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await PayAsync(order, "msg_mm2_forged", order.AmountMinor - 1);

        Assert.NotNull(await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.ProviderMismatch, "standard:msg_mm2_forged"));
        var row = await Pipeline.Service<OrderBook>().GetAsync(order.OrderId);
        Assert.Equal(OrderStatus.AwaitingPayment, row!.Status);

        // The order's own gateway still settles it.
        using (var paid = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Pipeline.Host.BaseAddress,
            TestWebhooks.StripePaymentIntent("evt_mm2_paid", "payment_intent.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    /// <summary>
    /// On a finished order a success for another payment id is a second capture, refunded at once; but
    /// not when it comes from another gateway: that refund would move money on a forged word.
    /// </summary>
    [Fact]
    public async Task Another_gateway_s_success_for_a_completed_order_starts_no_refund()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mm3", 5);
        var order = await Pipeline.RegisterOrderAsync("mm3", sku: "sku-mm3");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await PayAsync(order, "msg_mm3_paid");
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        using (var forged = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Pipeline.Host.BaseAddress,
            TestWebhooks.StripePaymentIntent("evt_mm3", "payment_intent.succeeded", "pi_mm3_other", order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        }

        Assert.NotNull(await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.ProviderMismatch, "stripe:evt_mm3"));
        Assert.Null(await Pipeline.Durable.GetInstanceAsync(LatePaymentRefund.InstanceId("pi_mm3_other")));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
    }

    [Fact]
    public void A_statement_line_of_one_gateway_naming_another_gateway_s_order_is_a_provider_mismatch()
    {
        var at = DateTimeOffset.UtcNow;
        var alipayOrder = new LedgerPayment("o1", "pay-o1", "alipay", OrderStatus.AwaitingPayment, null, "CNY");

        Assert.Equal(DiscrepancyClass.ProviderMismatch,
            StatementReconciler.Classify(new StatementLine("pay-o1", "o1", "capture", 100, "CNY", at, Provider: "stripe"), alipayOrder));
        Assert.Equal(DiscrepancyClass.ProviderMismatch,
            StatementReconciler.Classify(new StatementLine("pay-o1", "o1", "refund", 100, "CNY", at, Provider: "stripe"), alipayOrder with { Status = OrderStatus.Completed }));
        Assert.Equal(DiscrepancyClass.PaidButUnknown,
            StatementReconciler.Classify(new StatementLine("pay-o1", "o1", "capture", 100, "CNY", at, Provider: "alipay"), alipayOrder));
    }

    private async Task PayAsync(OrderRequest order, string webhookId, long? amount = null)
    {
        using var paid = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, webhookId,
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, amount ?? order.AmountMinor)));
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
    }
}
