using System.Net;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A compensation that itself fails: bounded retries, then parked with its context, then an operator's retry.</summary>
public sealed class RefundCompensationTests(SagaPathFixture fixture) : IClassFixture<SagaPathFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_refund_the_gateway_keeps_rejecting_is_parked_with_its_context_and_an_operator_retry_refunds_once()
    {
        // Out of stock, cancelled; the payment reaches the gateway only after the saga's close, and fails there.
        await Pipeline.Service<Payments.Ledger.StockLedger>().SetLevelAsync("sku-rf", 0);
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("rf1", amount: 3300, sku: "sku-rf");
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.FailAsync(order.PaymentId);

        // A success notice arrives while the gateway still holds the payment as failed: every refund is refused (409).
        using (var early = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_rf_early",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, 3300))))
        {
            Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(order.PaymentId), getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.RefundPending, refund.ReadOutputAs<SagaOutcome>()!.Status);
        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, order.OrderId);
        Assert.Equal(new RefundRequest(order.OrderId, "standard", order.PaymentId, 3300, "EUR", "late_payment"), parked!.Refund);
        Assert.Contains("409", parked.Detail);
        Assert.Equal(0, await Pipeline.RefundCountAsync(order.PaymentId));

        // The payment settles at the gateway; the operator retries the parked refund, twice.
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        using var first = await Pipeline.Http.PostAsync($"api/ops/refunds/{order.OrderId}/retry", null);
        using var second = await Pipeline.Http.PostAsync($"api/ops/refunds/{order.OrderId}/retry", null);
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));

        foreach (var attempt in new[] { 1, 2 })
        {
            var retried = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-{attempt}", getInputsAndOutputs: true, cts.Token);
            Assert.Equal(OrderStatus.Refunded, retried.ReadOutputAs<SagaOutcome>()!.Status);
        }
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal(3300, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        using var unknown = await Pipeline.Http.PostAsync("api/ops/refunds/nothing-parked/retry", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
