using System.Net;
using System.Net.Http.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
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
            // This sku's stock commit always fails (a fault decorator only tests and the demo register).
            settings["Faults:PermanentFailureSkus"] = "sku-se-broken";
        },
        gateway => gateway with { LossRate = 1.0 });
}

/// <summary>
/// Stripe orders whose webhooks are all lost, with the default two-minute window and no early active
/// query (timers off): only the day's statement can tell. A Stripe payment is listed only among Stripe's
/// balance transactions (read through Stripe.net), never on the simulator API's own CSV statement.
/// </summary>
public sealed class StripeStatementFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stripestmt", gateway: gateway => gateway with { LossRate = 1.0 });
}

public sealed class StripeStatementTests(StripeStatementFixture fixture) : IClassFixture<StripeStatementFixture>
{
    [Fact]
    public async Task A_stripe_payment_whose_webhook_was_lost_is_healed_by_the_statement_and_the_order_completes()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-ss1", 2);
        var order = await pipeline.RegisterOrderAsync("ss-heal", amount: 1800, sku: "sku-ss1", provider: "stripe");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId); // payment_intent.succeeded lost

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var report = await pipeline.ReconcileStatementAsync(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture));

        var healed = Assert.Single(report!.Discrepancies);
        Assert.Equal((DiscrepancyClass.PaidButUnknown, order.OrderId, "payment_applied"), (healed.Class, healed.OrderId, healed.Action));
        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Equal(new StockLevel("sku-ss1", 1, 0, 1), await pipeline.Service<StockLedger>().GetLevelAsync("sku-ss1"));
        Assert.Equal(18, await pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        Assert.Empty(pipeline.Gateway.RefundsOf(order.PaymentId));

        Assert.Equal(0, (await pipeline.ReconcileStatementAsync(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture))).NewDiscrepancies);
    }
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

    [Fact]
    public async Task A_refund_stripe_refused_succeeds_on_the_operators_retry_under_a_new_key_and_pays_out_once()
    {
        await Stock.SetLevelAsync("sku-se3", 1);
        var order = await Pipeline.RegisterOrderAsync("se-refused", amount: 2500, sku: "sku-se3", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await ScriptRefundFaultsAsync(order.PaymentId, refuse: 1);
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        // Stripe refused the refund once and replays that refusal for its key: every retry of the saga
        // gets it again, so the refund is parked, its next try under the next attempt's key.
        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId));
        Assert.Equal(1, parked!.Refund!.Attempt);
        Assert.Contains("balance_insufficient", parked.Detail, StringComparison.Ordinal);
        Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));

        using var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{LatePaymentRefund.InstanceId(order.PaymentId)}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var retried = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrderStatus.Refunded, retried.ReadOutputAs<SagaOutcome>()!.Status);
        Assert.Equal(2400, Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId)).AmountMinor);
        Assert.Equal(2400, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
    }

    [Fact]
    public async Task A_refund_created_whose_answer_was_lost_is_recognised_on_the_retry_and_paid_out_once()
    {
        await Stock.SetLevelAsync("sku-se4", 1);
        var order = await Pipeline.RegisterOrderAsync("se-lost", amount: 2500, sku: "sku-se4", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await ScriptRefundFaultsAsync(order.PaymentId, loseAnswers: true);
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        // Stripe created the refund, but no answer to it ever arrives; the saga's next try reads the
        // intent's refunds first and recognises it instead of asking again.
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Equal(2400, Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId)).AmountMinor);
        Assert.Null(await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId)));
    }

    [Fact]
    public async Task An_operator_retry_a_day_later_recognises_the_refund_whose_answers_were_lost_and_pays_out_once()
    {
        await Stock.SetLevelAsync("sku-se5", 1);
        var order = await Pipeline.RegisterOrderAsync("se-lostday", amount: 2500, sku: "sku-se5", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await ScriptRefundFaultsAsync(order.PaymentId, loseAnswers: true, alsoLoseLists: true);
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        // Stripe created the refund, but neither its answer nor any later listing reaches the saga:
        // parked with the same attempt (nothing was refused), the refund already paid out.
        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Equal(0, (await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId)))!.Refund!.Attempt);
        Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId));

        // A day later Stripe has forgotten the key, so the same key is a new request; the operator's
        // retry must find the refund on the intent instead.
        await ScriptRefundFaultsAsync(order.PaymentId);
        using (var expired = await Pipeline.GatewayHttp.PostAsync("sim/idempotency/expire", null))
        {
            expired.EnsureSuccessStatusCode();
        }
        using (var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{LatePaymentRefund.InstanceId(order.PaymentId)}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var recognised = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrderStatus.Refunded, recognised.ReadOutputAs<SagaOutcome>()!.Status);
        Assert.Equal(2400, Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId)).AmountMinor);
        Assert.Equal(2400, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
    }

    [Fact]
    public async Task A_refund_whose_key_stays_in_use_at_stripe_is_parked_under_the_same_key_and_the_retry_pays_out_once()
    {
        await Stock.SetLevelAsync("sku-se7", 1);
        var order = await Pipeline.RegisterOrderAsync("se-inflight", amount: 2500, sku: "sku-se7", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await ScriptRefundFaultsAsync(order.PaymentId, inFlight: 1000);
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400);

        // Stripe answers every try 409 idempotency_key_in_use (the first request still executing): not a
        // refusal, so the refund is parked with the same attempt, its next try under the same key.
        Assert.Equal(new SagaOutcome(OrderStatus.RefundPending, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId));
        Assert.Equal(0, parked!.Refund!.Attempt);
        Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));

        await ScriptRefundFaultsAsync(order.PaymentId);
        using var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{LatePaymentRefund.InstanceId(order.PaymentId)}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var retried = await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrderStatus.Refunded, retried.ReadOutputAs<SagaOutcome>()!.Status);
        // Created by attempt 0, i.e. under refund-{paymentId}: the key never moved on.
        var refund = Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal((2400L, "0"), (refund.AmountMinor, refund.Metadata!["attempt"]));
    }

    private async Task ScriptRefundFaultsAsync(string paymentId, int refuse = 0, bool loseAnswers = false, bool alsoLoseLists = false, int inFlight = 0)
    {
        using var scripted = await Pipeline.GatewayHttp.PostAsJsonAsync($"sim/payments/{paymentId}/refund-faults", new { refuse, loseAnswers, loseListAnswers = alsoLoseLists, inFlight });
        Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
    }

    [Fact]
    public async Task A_stripe_order_whose_stock_commit_fails_is_refunded_once_through_stripe_net()
    {
        await Stock.SetLevelAsync("sku-se-broken", 1);
        var order = await Pipeline.RegisterOrderAsync("se-stock", amount: 2500, sku: "sku-se-broken", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "stock_failed"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Equal(2500, Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId)).AmountMinor);
        Assert.Equal(new StockLevel("sku-se-broken", 1, 0, 0), await Stock.GetLevelAsync("sku-se-broken"));
    }

    [Fact]
    public async Task A_stripe_payment_that_succeeds_after_its_order_was_cancelled_is_refunded_once_through_stripe_net()
    {
        await Stock.SetLevelAsync("sku-se6", 1);
        // The intent reaches Stripe only after the saga's cancel found nothing to cancel: the one way a
        // capture still lands after the cancel (as when a cancel races a capture).
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("se-late", amount: 2500, sku: "sku-se6", provider: "stripe");
        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.PayAsync(order.PaymentId);

        // The simulator's own delivery is lost in this fixture: Stripe's event, signed as Stripe signs it.
        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Pipeline.Host.BaseAddress,
            TestWebhooks.StripePaymentIntent("evt_se_late", "payment_intent.succeeded", order.PaymentId, order.OrderId, 2500)));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(Payments.Saga.LatePaymentRefund.InstanceId(order.PaymentId), getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.Refunded, refund.ReadOutputAs<SagaOutcome>()!.Status);
        Assert.Equal(2500, Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId)).AmountMinor);
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(new StockLevel("sku-se6", 1, 0, 0), await Stock.GetLevelAsync("sku-se6"));
    }
}
