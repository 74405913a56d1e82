using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A short payment window, few step attempts, and gates in front of the gateway's close and the stock commit.</summary>
public sealed class MoneySafetyFixture : PipelineFixture
{
    public StepGates Gates { get; } = new();

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "money",
        settings =>
        {
            settings["Saga:PaymentWindowSeconds"] = "4";
            settings["Saga:ActivityMaxAttempts"] = "2";
        },
        services: Gates.Install);
}

/// <summary>
/// No captured payment is left without its order or its refund, and the pipeline settles each one
/// online, within minutes, with no help from the daily statement.
/// </summary>
public sealed class MoneySafetyTests(MoneySafetyFixture fixture) : IClassFixture<MoneySafetyFixture>
{
    private static readonly OperatorCaller Operator = new("test-operator", null, Verified: false);

    private PipelineHost Pipeline => fixture.Pipeline;

    private Task<ReconcilerReport> ReconcileAsync() =>
        Pipeline.Service<Reconciler>().RunAsync(Pipeline.Durable);

    private async Task<SagaOutcome> RefundOutcomeAsync(string paymentId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(paymentId), getInputsAndOutputs: true, cts.Token);
        return refund.ReadOutputAs<SagaOutcome>()!;
    }

    [Fact]
    public async Task A_success_raised_into_a_saga_that_then_cancels_is_refunded_by_the_pipeline()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-race", 2);
        var order = await Pipeline.RegisterOrderAsync("race1", amount: 1800, sku: "sku-race");
        fixture.Gates.HoldClose(order.PaymentId);

        // The window ends; the saga asks the gateway (pending) and tries to close the payment, which
        // hangs. Meanwhile the customer pays: the success is raised into the saga, which is cancelling.
        await fixture.Gates.CloseReachedAsync(order.PaymentId);
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        var row = Assert.Single(await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync()), e => e.Event?.OrderId == order.OrderId);
        Assert.Equal(InboxState.Raised, row.State);

        // The close fails (parked) and the saga cancels without the payment it was handed.
        fixture.Gates.LetCloseGo(order.PaymentId);
        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        await Task.Delay(OutboxRelay.SettleTime);

        var report = await ReconcileAsync();
        var again = await ReconcileAsync();

        Assert.Equal((1, 0), (report.Relay.RaisedSettled, again.Relay.RaisedSettled));
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "late_payment"), await RefundOutcomeAsync(order.PaymentId));
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync(row.Provider, row.EventId))!.State);
    }

    [Fact]
    public async Task A_saga_terminated_after_paid_is_found_by_the_reconciler_refunded_once_and_parked()
    {
        var stock = Pipeline.Service<StockLedger>();
        await stock.SetLevelAsync("sku-crash", 3);
        var order = await Pipeline.RegisterOrderAsync("crash1", amount: 2600, sku: "sku-crash");
        fixture.Gates.HoldCommit(order.OrderId);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await fixture.Gates.CommitReachedAsync(order.OrderId);
        Assert.Equal(OrderStatus.Paid, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);

        // An operator terminates the saga while it is paid: nothing of the saga will ever run again.
        await Pipeline.Durable.TerminateInstanceAsync(OrderSaga.InstanceId(order.OrderId), "operator");
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await Pipeline.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(order.OrderId), cts.Token);
        }
        fixture.Gates.LetCommitGo(order.OrderId);

        var report = await ReconcileAsync();
        Assert.Equal(1, report.CrashedSettled);
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, CrashedSagaSweep.Reason), await RefundOutcomeAsync(order.PaymentId));
        var again = await ReconcileAsync();

        Assert.Equal(0, again.CrashedSettled);
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
        var record = await Pipeline.Service<OrderBook>().GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.Refunded, CrashedSagaSweep.Reason), (record!.Status, record.Reason));
        Assert.Equal(new StockLevel("sku-crash", 3, 0, 0), await stock.GetLevelAsync("sku-crash"));
        Assert.NotNull(await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.SagaCrashed, order.OrderId));
    }

    [Fact]
    public async Task A_saga_terminated_after_committing_part_of_its_stock_is_refunded_and_its_committed_stock_returned()
    {
        var stock = Pipeline.Service<StockLedger>();
        await stock.SetLevelAsync("sku-half1", 5);
        await stock.SetLevelAsync("sku-half2", 5);
        var order = new OrderRequest("half1", "cust-half1", [new OrderLine("sku-half1", 2), new OrderLine("sku-half2", 1)], 3100, "EUR", "standard", "pay-half1");
        await Pipeline.CreatePaymentAsync(order);
        fixture.Gates.HoldCommitAfterFirstLine(order.OrderId);
        using (var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await fixture.Gates.CommitRestReachedAsync(order.OrderId);
        Assert.Equal(new StockLevel("sku-half1", 3, 0, 2), await stock.GetLevelAsync("sku-half1"));

        // The saga dies with one line committed: an operator terminates it.
        await TerminateAsync(OrderSaga.InstanceId(order.OrderId));
        fixture.Gates.LetCommitRestGo(order.OrderId);
        var report = await ReconcileAsync();

        Assert.Equal(1, report.CrashedSettled);
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, CrashedSagaSweep.Reason), await RefundOutcomeAsync(order.PaymentId));
        Assert.Equal(OrderStatus.Refunded, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        // Stock conserved, and none committed for an order that did not complete.
        Assert.Equal(new StockLevel("sku-half1", 5, 0, 0), await stock.GetLevelAsync("sku-half1"));
        Assert.Equal(new StockLevel("sku-half2", 5, 0, 0), await stock.GetLevelAsync("sku-half2"));
        Assert.Equal((ReservationState.Released, ReservationState.Released),
            (await stock.GetReservationAsync("sku-half1", order.OrderId), await stock.GetReservationAsync("sku-half2", order.OrderId)));
        Assert.Equal(1, await Pipeline.RefundCountAsync(order.PaymentId));
    }

    [Fact]
    public async Task A_refund_orchestration_that_ends_terminated_is_restarted_by_the_reconciler_and_parked_for_an_operator_if_it_ends_so_again()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-rcrash", 3);
        var order = await Pipeline.RegisterOrderAsync("rcrash1", amount: 1700, sku: "sku-rcrash");
        var second = order.PaymentId + "-again";
        await Pipeline.CreatePaymentAsync(order, second);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var refundId = LatePaymentRefund.InstanceId(second);

        // The second capture's refund starts on arrival and is terminated while it waits on the gateway.
        fixture.Gates.HoldRefund(second);
        await Pipeline.Gateway.PayAsync(second);
        await fixture.Gates.RefundReachedAsync(second);
        await TerminateAsync(refundId);
        Assert.Equal(0, await Pipeline.RefundCountAsync(second));

        // The reconciler restarts it (same instance, same input); terminated again, it is parked with its refund.
        fixture.Gates.OpenRefund(second);
        fixture.Gates.HoldRefund(second);
        var first = await ReconcileAsync();
        Assert.Equal((1, 0), (first.RefundsRestarted, first.RefundsParked));
        await fixture.Gates.RefundReachedAsync(second);
        await TerminateAsync(refundId);
        fixture.Gates.OpenRefund(second);
        var parked = Pipeline.Service<ParkedItems>();
        Assert.Equal(second, (await parked.GetAsync(ParkedKinds.RefundCrashed, refundId))?.Refund?.PaymentId);

        var again = await ReconcileAsync();
        Assert.Equal((0, 1), (again.RefundsRestarted, again.RefundsParked));
        var parkedRefund = await parked.GetAsync(ParkedKinds.RefundFailed, refundId);
        Assert.Equal((order.OrderId, refundId), (parkedRefund?.OrderId, parkedRefund?.Key));
        Assert.Equal((second, 1700L, PaymentDispatch.SecondCaptureReason), (parkedRefund?.Refund?.PaymentId, parkedRefund?.Refund?.AmountMinor, parkedRefund?.Refund?.Reason));
        var quiet = await ReconcileAsync();
        Assert.Equal((0, 0), (quiet.RefundsRestarted, quiet.RefundsParked));

        // The operator's retry pays it back, once.
        Assert.Equal(RefundRetryResult.Started, (await Pipeline.Service<RefundDesk>().RetryAsync(refundId, Pipeline.Durable, Operator)).Result);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await Pipeline.RefundCountAsync(second) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.Equal((1, 0), (await Pipeline.RefundCountAsync(second), await Pipeline.RefundCountAsync(order.PaymentId)));
    }

    [Fact]
    public async Task Two_crashed_refunds_of_one_order_are_each_restarted_once_then_each_parked_under_its_own_key_and_retried_by_the_operator()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-rcrash3", 3);
        var order = await Pipeline.RegisterOrderAsync("rcrash3", amount: 1300, sku: "sku-rcrash3");
        string[] extra = [order.PaymentId + "-b", order.PaymentId + "-c"];
        foreach (var payment in extra)
        {
            await Pipeline.CreatePaymentAsync(order, payment);
        }
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        // Two more captures of the one order: two refund orchestrations, both terminated at the gateway's door.
        foreach (var payment in extra)
        {
            fixture.Gates.HoldRefund(payment);
            await Pipeline.Gateway.PayAsync(payment);
            await fixture.Gates.RefundReachedAsync(payment);
            await TerminateAsync(LatePaymentRefund.InstanceId(payment));
            fixture.Gates.OpenRefund(payment);
            fixture.Gates.HoldRefund(payment);
        }
        var first = await ReconcileAsync();
        Assert.Equal((2, 0), (first.RefundsRestarted, first.RefundsParked));
        foreach (var payment in extra)
        {
            await fixture.Gates.RefundReachedAsync(payment);
            await TerminateAsync(LatePaymentRefund.InstanceId(payment));
            fixture.Gates.OpenRefund(payment);
        }

        // Each ended so again after its one restart: each parked for the operator, none restarted again.
        var again = await ReconcileAsync();
        Assert.Equal((0, 2), (again.RefundsRestarted, again.RefundsParked));
        var quiet = await ReconcileAsync();
        Assert.Equal((0, 0), (quiet.RefundsRestarted, quiet.RefundsParked));
        var parked = Pipeline.Service<ParkedItems>();
        foreach (var payment in extra)
        {
            var item = await parked.GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(payment));
            Assert.Equal((order.OrderId, payment), (item?.OrderId, item?.Refund?.PaymentId));
            Assert.Equal(RefundRetryResult.Started, (await Pipeline.Service<RefundDesk>().RetryAsync(LatePaymentRefund.InstanceId(payment), Pipeline.Durable, Operator)).Result);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await Pipeline.RefundCountAsync(extra[0]) == 0 || await Pipeline.RefundCountAsync(extra[1]) == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.Equal((1, 1, 0), (await Pipeline.RefundCountAsync(extra[0]), await Pipeline.RefundCountAsync(extra[1]), await Pipeline.RefundCountAsync(order.PaymentId)));
    }

    [Fact]
    public async Task A_refund_orchestration_that_ends_terminated_is_restarted_by_the_reconciler_and_refunds_once()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-rcrash2", 3);
        var order = await Pipeline.RegisterOrderAsync("rcrash2", amount: 1900, sku: "sku-rcrash2");
        var second = order.PaymentId + "-again";
        await Pipeline.CreatePaymentAsync(order, second);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        fixture.Gates.HoldRefund(second);
        await Pipeline.Gateway.PayAsync(second);
        await fixture.Gates.RefundReachedAsync(second);
        await TerminateAsync(LatePaymentRefund.InstanceId(second));
        fixture.Gates.OpenRefund(second);

        var report = await ReconcileAsync();

        Assert.Equal((1, 0), (report.RefundsRestarted, report.RefundsParked));
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, PaymentDispatch.SecondCaptureReason), await RefundOutcomeAsync(second));
        var again = await ReconcileAsync();
        Assert.Equal((0, 0), (again.RefundsRestarted, again.RefundsParked));
        Assert.Equal((1, 0), (await Pipeline.RefundCountAsync(second), await Pipeline.RefundCountAsync(order.PaymentId)));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
    }

    private async Task TerminateAsync(string instanceId)
    {
        await Pipeline.Durable.TerminateInstanceAsync(instanceId, "operator");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var end = await Pipeline.Durable.WaitForInstanceCompletionAsync(instanceId, cts.Token);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated, end.RuntimeStatus);
    }

    [Fact]
    public async Task A_second_capture_for_one_order_is_refunded_on_arrival_and_the_order_keeps_its_own_payment()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-double", 3);
        var order = await Pipeline.RegisterOrderAsync("double1", amount: 1500, sku: "sku-double");
        var second = order.PaymentId + "-again";
        using (var created = await Pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = second, orderId = order.OrderId, amountMinor = 1500, currency = "EUR", provider = "standard" }))
        {
            created.EnsureSuccessStatusCode();
        }
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await Pipeline.Gateway.PayAsync(second);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, PaymentDispatch.SecondCaptureReason), await RefundOutcomeAsync(second));
        Assert.Equal((1, 0), (await Pipeline.RefundCountAsync(second), await Pipeline.RefundCountAsync(order.PaymentId)));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        var statement = await Pipeline.ReconcileStatementAsync();
        Assert.DoesNotContain(statement.Discrepancies, d => d.OrderId == order.OrderId);
    }
}

/// <summary>Webhooks all lost: the statement alone sees a second capture.</summary>
public sealed class StatementPaymentIdFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stmtpid", gateway: g => g with { LossRate = 1.0 });
}

public sealed class StatementPaymentIdTests(StatementPaymentIdFixture fixture) : IClassFixture<StatementPaymentIdFixture>
{
    [Fact]
    public async Task A_capture_under_another_payment_id_of_a_completed_order_is_refunded_by_the_statement_once()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-pid", 3);
        var order = await pipeline.RegisterOrderAsync("pid1", amount: 1700, sku: "sku-pid");
        var second = order.PaymentId + "-b";
        using (var created = await pipeline.GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId = second, orderId = order.OrderId, amountMinor = 1700, currency = "EUR", provider = "standard" }))
        {
            created.EnsureSuccessStatusCode();
        }
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId);
        using (var paid = await pipeline.Http.SendAsync(TestWebhooks.Standard(pipeline.Host.BaseAddress, "msg-pid1",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, 1700))))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await pipeline.Gateway.PayAsync(second); // same amount, same currency: only the payment id tells

        var report = await pipeline.ReconcileStatementAsync();

        var found = Assert.Single(report!.Discrepancies);
        Assert.Equal((DiscrepancyClass.OtherPaymentCaptured, second, "refund_started"), (found.Class, found.PaymentId, found.Action));
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(second), cts.Token);
        }
        var again = await pipeline.ReconcileStatementAsync();

        Assert.Equal(0, again!.NewDiscrepancies); // the refund of the second capture is no discrepancy either
        Assert.Equal((1, 0), (await pipeline.RefundCountAsync(second), await pipeline.RefundCountAsync(order.PaymentId)));
    }
}

/// <summary>Every webhook lost, a short window, and a gate in front of the gateway's close.</summary>
public sealed class UnclosedPaymentFixture : PipelineFixture
{
    public StepGates Gates { get; } = new();

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "unclosed",
        settings =>
        {
            settings["Saga:PaymentWindowSeconds"] = "3";
            settings["Saga:ActivityMaxAttempts"] = "2";
        },
        gateway => gateway with { LossRate = 1.0 },
        Gates.Install);
}

public sealed class UnclosedPaymentTests(UnclosedPaymentFixture fixture) : IClassFixture<UnclosedPaymentFixture>
{
    [Fact]
    public async Task A_capture_after_a_cancel_whose_close_failed_is_refunded_by_the_reconciler_though_its_webhook_is_lost()
    {
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-unclosed", 2);
        var order = await pipeline.RegisterOrderAsync("unclosed1", amount: 1400, sku: "sku-unclosed");
        fixture.Gates.HoldClose(order.PaymentId);
        await fixture.Gates.CloseReachedAsync(order.PaymentId);
        fixture.Gates.LetCloseGo(order.PaymentId); // the close fails: parked, the order cancelled, the payment still open
        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.NotNull(await pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.CloseFailed, order.OrderId));

        await pipeline.Gateway.PayAsync(order.PaymentId); // its webhook is lost
        var report = await pipeline.Service<Reconciler>().RunAsync(pipeline.Durable);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            var refund = await pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(order.PaymentId), getInputsAndOutputs: true, cts.Token);
            Assert.Equal(new SagaOutcome(OrderStatus.Refunded, PaymentDispatch.LatePaymentReason), refund.ReadOutputAs<SagaOutcome>());
        }
        var again = await pipeline.Service<Reconciler>().RunAsync(pipeline.Durable);

        Assert.Equal((1, 0), (report.CrashedSettled, again.CrashedSettled));
        Assert.Equal(1, await pipeline.RefundCountAsync(order.PaymentId));
    }
}
