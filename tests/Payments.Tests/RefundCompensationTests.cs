using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        var key = LatePaymentRefund.InstanceId(order.PaymentId);
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(key, getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.RefundPending, refund.ReadOutputAs<SagaOutcome>()!.Status);
        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, key);
        Assert.Equal(new RefundRequest(order.OrderId, "standard", order.PaymentId, 3300, "EUR", "late_payment"), parked!.Refund);
        Assert.Contains("409", parked.Detail);
        Assert.Equal(0, await Pipeline.RefundCountAsync(order.PaymentId));

        // The payment settles at the gateway; the operator retries the parked refund, then tries again: the item is resolved.
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        using var first = await Pipeline.Http.PostAsync($"api/ops/refunds/{key}/retry", null);
        using var second = await Pipeline.Http.PostAsync($"api/ops/refunds/{key}/retry", null);
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Conflict), (first.StatusCode, second.StatusCode));
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);

        var retried = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.Refunded, retried.ReadOutputAs<SagaOutcome>()!.Status);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal(3300, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        Assert.Null(await Pipeline.Durable.GetInstanceAsync($"refund-op-{order.PaymentId}-2"));
        var resolved = (await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, key))!;
        Assert.Equal((false, 1, $"refund retry started as refund-op-{order.PaymentId}-1"), (resolved.Open, resolved.OperatorRetries, resolved.Resolution));
        using var unknown = await Pipeline.Http.PostAsync("api/ops/refunds/nothing-parked/retry", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Both_refunds_of_one_order_that_fail_are_two_items_each_retried_on_its_own_and_each_refunded_once()
    {
        await Pipeline.Service<Payments.Ledger.StockLedger>().SetLevelAsync("sku-rf2", 2);
        var order = await Pipeline.RegisterOrderAsync("rf2", amount: 3300, sku: "sku-rf2");
        var second = order.PaymentId + "-b";
        await Pipeline.CreatePaymentAsync(order, second);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await RefuseRefundsAsync(order.PaymentId, 1000);
        await RefuseRefundsAsync(second, 1000);

        // A second capture for the order: refunded by dispatch, refused. Then the order's own payment, short: the saga's refund, refused.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await Pipeline.Gateway.PayAsync(second);
        var secondRefund = await Pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(second), getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.RefundPending, secondRefund.ReadOutputAs<SagaOutcome>()!.Status);
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 3200);
        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));

        // Two items, each under its refund's instance id with its own refund; none under the order id.
        var parked = Pipeline.Service<ParkedItems>();
        var own = (await parked.GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId)))!;
        var other = (await parked.GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(second)))!;
        Assert.Equal((order.OrderId, order.PaymentId, 3200L, "amount_mismatch"), (own.OrderId, own.Refund!.PaymentId, own.Refund.AmountMinor, own.Refund.Reason));
        Assert.Equal((order.OrderId, second, 3300L, PaymentDispatch.SecondCaptureReason), (other.OrderId, other.Refund!.PaymentId, other.Refund.AmountMinor, other.Refund.Reason));
        Assert.Null(await parked.GetAsync(ParkedKinds.RefundFailed, order.OrderId));

        // The second capture's retry fails again (still refused): parked under the retry's own instance id.
        var retryOfOther = await RetryAsync(LatePaymentRefund.InstanceId(second));
        Assert.Equal($"refund-op-{second}-1", retryOfOther);
        var failedRetry = await Pipeline.Durable.WaitForInstanceCompletionAsync(retryOfOther, getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.RefundPending, failedRetry.ReadOutputAs<SagaOutcome>()!.Status);
        var parkedRetry = (await parked.GetAsync(ParkedKinds.RefundFailed, retryOfOther))!;
        Assert.Equal((second, true), (parkedRetry.Refund!.PaymentId, parkedRetry.Open));

        // The gateway pays refunds again; each item is retried on its own. The failed retry's item gets the
        // payment's next number (counted per item it would have been refund-op-…-1 again, its own id).
        await RefuseRefundsAsync(order.PaymentId, 0);
        await RefuseRefundsAsync(second, 0);
        Assert.Equal($"refund-op-{order.PaymentId}-1", await RetryAsync(LatePaymentRefund.InstanceId(order.PaymentId)));
        Assert.Equal($"refund-op-{second}-2", await RetryAsync(retryOfOther));
        foreach (var instance in new[] { $"refund-op-{order.PaymentId}-1", $"refund-op-{second}-2" })
        {
            var done = await Pipeline.Durable.WaitForInstanceCompletionAsync(instance, getInputsAndOutputs: true, cts.Token);
            Assert.Equal(OrderStatus.Refunded, done.ReadOutputAs<SagaOutcome>()!.Status);
        }
        Assert.Equal((1, 1), (await Pipeline.RefundCountAsync(order.PaymentId), await Pipeline.RefundCountAsync(second)));
        Assert.Equal((3200L, 3300L), (Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor, Pipeline.Gateway.Payments.Single(p => p.PaymentId == second).RefundedMinor));
        foreach (var key in new[] { LatePaymentRefund.InstanceId(order.PaymentId), LatePaymentRefund.InstanceId(second), retryOfOther })
        {
            Assert.False((await parked.GetAsync(ParkedKinds.RefundFailed, key))!.Open);
        }
    }

    [Fact]
    public async Task Two_retries_of_one_parked_refund_at_the_same_moment_start_one_refund_and_a_parking_again_clears_the_claim()
    {
        await Pipeline.Service<Payments.Ledger.StockLedger>().SetLevelAsync("sku-rf3", 0);
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("rf3", amount: 2100, sku: "sku-rf3");
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        var key = LatePaymentRefund.InstanceId(order.PaymentId);
        var parked = Pipeline.Service<ParkedItems>();
        var request = new ParkRequest(order.OrderId, ParkedKinds.RefundFailed, "refused", "409",
            new RefundRequest(order.OrderId, "standard", order.PaymentId, 2100, "EUR", "late_payment"), key);
        await parked.ParkAsync(request);

        // The console's bulk retry and the route on one item, together: both name one retry, and only it runs.
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{key}/retry", null);
            return (retry.StatusCode, await retry.Content.ReadAsStringAsync());
        }));
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, a.Item2));
        Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.Accepted), a => Assert.Contains($"refund-op-{order.PaymentId}-1", a.Item2));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var retried = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.Refunded, retried.ReadOutputAs<SagaOutcome>()!.Status);
        Assert.Null(await Pipeline.Durable.GetInstanceAsync($"refund-op-{order.PaymentId}-2"));
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal((false, 1), ((await parked.GetAsync(ParkedKinds.RefundFailed, key))!.Open, (await parked.GetAsync(ParkedKinds.RefundFailed, key))!.OperatorRetries));

        // Parked again (a new failure under the same key): open, unclaimed, and its retry is the payment's next.
        await parked.ParkAsync(request);
        Assert.Equal($"refund-op-{order.PaymentId}-2", await RetryAsync(key));
    }

    private async Task RefuseRefundsAsync(string paymentId, int refusals)
    {
        using var scripted = await Pipeline.GatewayHttp.PostAsJsonAsync($"sim/payments/{paymentId}/refund-faults", new { refuse = refusals });
        Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
    }

    /// <returns>The retry's instance id, from the 202.</returns>
    private async Task<string> RetryAsync(string key)
    {
        using var retry = await Pipeline.Http.PostAsJsonAsync($"api/ops/refunds/{key}/retry", new { reason = "gateway back" });
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        using var body = JsonDocument.Parse(await retry.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("instanceId").GetString()!;
    }
}
