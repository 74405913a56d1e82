using System.Net;
using System.Net.Http.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Stripe orders with their webhooks delivered: the refund failure Stripe announces after accepting a refund arrives.</summary>
public sealed class StripeRefundFailureFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("striperf");
}

/// <summary>
/// A refund Stripe accepted and then failed (<c>charge.refund.updated</c>, status <c>failed</c>): the
/// customer was not paid back. It is parked for the operator as <c>refund_failed</c> with the refund to
/// ask again, and the operator's retry pays it out once, under the next attempt's idempotency key,
/// end to end through Stripe.net and the simulator's Stripe dialect.
/// </summary>
public sealed class StripeRefundFailureTests(StripeRefundFailureFixture fixture) : IClassFixture<StripeRefundFailureFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_refund_stripe_fails_after_accepting_it_is_parked_for_the_operator_whose_retry_pays_it_out_once_under_the_next_key()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-srf", 1);
        var order = await Pipeline.RegisterOrderAsync("srf-1", amount: 2500, sku: "sku-srf", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        using (var scripted = await Pipeline.GatewayHttp.PostAsJsonAsync($"sim/payments/{order.PaymentId}/refund-faults", new { failAfterAcceptance = 1 }))
        {
            Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
        }

        // Paid short: the saga refunds what was paid; Stripe accepts the refund, then fails it.
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var key = LatePaymentRefund.InstanceId(order.PaymentId);
        var parked = await WaitForParkedAsync(key);
        Assert.Equal((order.OrderId, key), (parked.OrderId, parked.Key));
        Assert.Equal(new RefundRequest(order.OrderId, "stripe", order.PaymentId, 2400, "EUR", "amount_mismatch", Attempt: 1), parked.Refund);
        Assert.Equal("refund1-" + order.PaymentId, parked.Refund!.IdempotencyKey());
        Assert.Equal("failed", Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId)).Status);
        Assert.Equal(0, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);

        using var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{key}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var retried = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrderStatus.Refunded, retried.ReadOutputAs<SagaOutcome>()!.Status);
        var refunds = Pipeline.Gateway.RefundsOf(order.PaymentId);
        Assert.Equal([("failed", 2400L, "0"), ("succeeded", 2400L, "1")], refunds.Select(r => (r.Status, r.AmountMinor, r.Metadata?["attempt"])));
        Assert.Equal(2400, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
    }

    private async Task<ParkedItem> WaitForParkedAsync(string key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, key) is { } item)
            {
                return item;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No refund_failed item under {key}.");
    }
}
