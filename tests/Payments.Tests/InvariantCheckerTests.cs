using Azure.Data.Tables;
using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Demo.Invariants;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;
using static Payments.Demo.Invariants.InvariantChecker;

namespace Payments.Tests;

/// <summary>
/// The checker must see every way a ledger can go wrong. A healthy hand-built ledger passes; each
/// test breaks it in one way and expects that invariant (and only a violation, or only operator
/// work, as the case is) to be reported.
/// </summary>
public sealed class InvariantCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_healthy_ledger_passes_every_invariant()
    {
        var report = Check(Healthy());

        Assert.True(report.AllHold, string.Join("\n", report.Violations));
        Assert.Empty(report.NeedsOperator);
        Assert.Equal(12, report.Verdicts.Count);
    }

    [Fact]
    public void A_payment_refunded_twice_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { Statement = [.. ledger.Statement, Refund("pay-mm1", 990)] };

        AssertViolation(ledger, PaymentsSettleOnce, "pay-mm1", "refunded 2 times");
    }

    [Fact]
    public void A_partial_refund_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { Statement = [.. ledger.Statement.Where(l => !(l.PaymentId == "pay-late1" && l.Type == "refund")), Refund("pay-late1", 400)] };

        AssertViolation(ledger, PaymentsSettleOnce, "pay-late1", "refunded 400 EUR of 500 EUR");
    }

    [Fact]
    public void A_refund_of_a_completed_order_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { Statement = [.. ledger.Statement, Refund("pay-ok1", 1000)] };

        AssertViolation(ledger, PaymentsSettleOnce, "pay-ok1", "its order is Completed");
    }

    [Fact]
    public void A_captured_payment_for_a_cancelled_order_that_nobody_refunds_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { Statement = [.. ledger.Statement.Where(l => !(l.PaymentId == "pay-late1" && l.Type == "refund"))] };
        ledger = ledger with { GatewayPayments = [.. ledger.GatewayPayments.Select(p => p.PaymentId == "pay-late1" ? p with { RefundedMinor = 0 } : p)] };

        AssertViolation(ledger, PaymentsSettleOnce, "pay-late1", "never refunded");
    }

    [Fact]
    public void The_same_unrefunded_payment_with_its_refund_parked_needs_an_operator_but_breaks_nothing()
    {
        var ledger = Healthy();
        ledger = ledger with { Statement = [.. ledger.Statement.Where(l => !(l.PaymentId == "pay-late1" && l.Type == "refund"))] };
        ledger = ledger with { GatewayPayments = [.. ledger.GatewayPayments.Select(p => p.PaymentId == "pay-late1" ? p with { RefundedMinor = 0 } : p)] };
        ledger = ledger with { Parked = [new ParkedItem("late1", ParkedKinds.RefundFailed, "Refund failed", "gateway kept answering 503", T0, null, 0)] };

        var report = Check(ledger);

        Assert.True(report.AllHold, string.Join("\n", report.Violations));
        var waiting = Assert.Single(report.NeedsOperator);
        Assert.Equal(PaymentsSettleOnce, waiting.Invariant);
        Assert.Contains("parked for an operator", waiting.Detail);
    }

    [Fact]
    public void A_completed_order_whose_payment_was_never_captured_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { GatewayPayments = [.. ledger.GatewayPayments.Select(p => p.PaymentId == "pay-ok1" ? p with { Status = PaymentStatus.Closed, PaidAmountMinor = 0, PaidAt = null } : p)] };

        AssertViolation(ledger, PaymentsSettleOnce, "order ok1", "payment pay-ok1 is closed");
    }

    [Fact]
    public void Stock_committed_twice_is_reported()
    {
        // A second commit moved the level again without a second reservation row.
        var ledger = Healthy();
        ledger = ledger with { StockLevels = [new StockLevel("sku-a", 6, 0, 4)] };

        AssertViolation(ledger, StockCommittedOnce, "sku-a", "4 committed");
    }

    [Fact]
    public void Stock_committed_for_a_cancelled_order_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with
        {
            StockLevels = [new StockLevel("sku-a", 7, 0, 3)],
            Reservations = [.. ledger.Reservations.Select(r => r.OrderId == "to1" ? r with { State = ReservationState.Committed } : r)],
        };

        AssertViolation(ledger, StockCommittedOnce, "order to1", "the order is Cancelled");
    }

    [Fact]
    public void Stock_that_appears_from_nowhere_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { StockLevels = [new StockLevel("sku-a", 9, 0, 2)] };

        AssertViolation(ledger, StockConserved, "sku-a", "= 11, started with 10");
    }

    [Fact]
    public void Stock_still_reserved_for_a_terminal_order_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with
        {
            StockLevels = [new StockLevel("sku-a", 7, 1, 2)],
            Reservations = [.. ledger.Reservations.Select(r => r.OrderId == "to1" ? r with { State = ReservationState.Reserved } : r)],
        };

        var report = AssertViolation(ledger, NoStockHeld, "order to1", "still holds 1 × sku-a");
        Assert.True(report[StockConserved].Holds);
    }

    [Fact]
    public void A_second_points_grant_for_one_order_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with
        {
            Grants = [.. ledger.Grants, new PointsGrant("cust-1", "ok1", 10)],
            PointsBalances = new Dictionary<string, long> { ["cust-1"] = 20 },
        };

        AssertViolation(ledger, PointsGrantedOnce, "order ok1", "2 points grants");
    }

    [Fact]
    public void Points_granted_for_a_refunded_order_are_reported()
    {
        var ledger = Healthy();
        ledger = ledger with
        {
            Grants = [.. ledger.Grants, new PointsGrant("cust-2", "mm1", 9)],
            PointsBalances = new Dictionary<string, long> { ["cust-1"] = 10, ["cust-2"] = 9 },
        };

        AssertViolation(ledger, PointsGrantedOnce, "order mm1", "the order is Refunded");
    }

    [Fact]
    public void A_completed_order_without_points_is_reported_unless_its_grant_is_parked()
    {
        var ledger = Healthy();
        ledger = ledger with { Grants = [], PointsBalances = new Dictionary<string, long>() };
        AssertViolation(ledger, PointsGrantedOnce, "order ok1", "nothing is parked");

        var parked = Check(ledger with { Parked = [new ParkedItem("ok1", "points_grant", "Points failed", "injected", T0, null, 0)] });
        Assert.True(parked.AllHold, string.Join("\n", parked.Violations));
        Assert.Equal(PointsGrantedOnce, Assert.Single(parked.NeedsOperator).Invariant);
    }

    [Fact]
    public void A_points_balance_that_differs_from_its_grants_is_reported()
    {
        var ledger = Healthy() with { PointsBalances = new Dictionary<string, long> { ["cust-1"] = 15 } };

        AssertViolation(ledger, PointsBalance, "customer cust-1", "balance 15, grants add up to 10");
    }

    [Fact]
    public void A_saga_left_running_failed_or_missing_is_reported()
    {
        var ledger = Healthy();
        var running = ledger with
        {
            Orders = [.. ledger.Orders.Select(o => o.OrderId == "to1" ? o with { Status = OrderStatus.AwaitingPayment } : o)],
            Orchestrations = [.. ledger.Orchestrations.Select(o => o.InstanceId == "order-to1" ? o with { RuntimeStatus = OrchestrationRuntimeStatus.Running, Outcome = null } : o)],
        };
        AssertViolation(running, SagasTerminal, "order to1", "saga is Running");

        var failed = ledger with { Orchestrations = [.. ledger.Orchestrations.Select(o => o.InstanceId == "order-ok1" ? o with { RuntimeStatus = OrchestrationRuntimeStatus.Failed, Outcome = null } : o)] };
        AssertViolation(failed, SagasTerminal, "order ok1", "saga is Failed");

        var missing = ledger with { Orchestrations = [.. ledger.Orchestrations.Where(o => o.InstanceId != "order-mm1")] };
        AssertViolation(missing, SagasTerminal, "order mm1", "has no saga");
    }

    [Fact]
    public void A_read_model_that_disagrees_with_its_saga_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { Orchestrations = [.. ledger.Orchestrations.Select(o => o.InstanceId == "order-to1" ? o with { Outcome = new SagaOutcome(OrderStatus.Refunded, "timeout") } : o)] };

        AssertViolation(ledger, SagasTerminal, "order to1", "saga ended Refunded, read model says Cancelled");
    }

    [Fact]
    public void A_duplicate_delivery_stored_as_a_second_inbox_row_is_reported()
    {
        var ledger = Healthy();
        ledger = ledger with { Inbox = [.. ledger.Inbox, new InboxRow("standard", "msg_ok1_again", InboxState.Dispatched, PaymentEventKind.Succeeded, "pay-ok1", "ok1")] };

        AssertViolation(ledger, InboxOneRowPerEvent, "payment pay-ok1", "2 inbox rows");
    }

    [Fact]
    public void A_callback_stored_but_never_applied_is_reported_and_a_parked_one_needs_an_operator()
    {
        var ledger = Healthy();
        var stuck = ledger with { Inbox = [.. ledger.Inbox.Select(r => r.EventId == "msg_ok1" ? r with { State = InboxState.Received } : r)] };
        AssertViolation(stuck, InboxSettled, "msg_ok1", "never dispatched");

        var queued = ledger with { Inbox = [.. ledger.Inbox.Select(r => r.EventId == "msg_ok1" ? r with { State = InboxState.Queued } : r)] };
        AssertViolation(queued, InboxSettled, "msg_ok1", "neither applied nor dead-lettered");

        var parked = queued with
        {
            DeadLetters = [new ParkedLetter("lane-1", "standard", "msg_ok1", "ok1", "unknown_order", "still unknown", 4, LetterStatus.Parked, T0, null, null, null)],
        };
        var report = Check(parked);
        Assert.True(report.AllHold, string.Join("\n", report.Violations));
        Assert.Equal(InboxSettled, Assert.Single(report.NeedsOperator).Invariant);
    }

    /// <summary>Snapshots read from real tables see real corruption: a points balance edited behind the ledger's back.</summary>
    [Fact]
    public async Task The_loader_reads_the_real_tables_and_a_balance_corrupted_in_storage_is_reported()
    {
        await using var pipeline = await PipelineHost.StartAsync("checker");
        var stock = pipeline.Service<StockLedger>();
        await stock.SetLevelAsync("sku-chk", 5);
        var order = await pipeline.RegisterOrderAsync("chk1", amount: 3000, sku: "sku-chk", quantity: 2);
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(Payments.Recovery.OutboxRelay.SettleTime);
        await pipeline.Service<Payments.Recovery.OutboxRelay>().RelayAsync(pipeline.Durable); // confirms the raised success (timers are off here)

        var loader = new SnapshotLoader(pipeline.Service<PaymentsStorage>(), pipeline.Service<IPaymentGateway>(), pipeline.Durable);
        var initial = new Dictionary<string, long> { ["sku-chk"] = 5 };
        var before = Check(await loader.LoadAsync(pipeline.Gateway.Payments, initial, DateTimeOffset.UtcNow.AddMinutes(-5), gatewayRefunds: pipeline.Gateway.Refunds));
        Assert.True(before.AllHold, string.Join("\n", before.Violations));

        var points = await pipeline.Service<PaymentsStorage>().TableAsync(TableNames.Points);
        await points.UpsertEntityAsync(new TableEntity(order.CustomerId, "balance") { ["Points"] = 31L }, TableUpdateMode.Replace);
        var after = Check(await loader.LoadAsync(pipeline.Gateway.Payments, initial, DateTimeOffset.UtcNow.AddMinutes(-5), gatewayRefunds: pipeline.Gateway.Refunds));

        var violation = Assert.Single(after.Violations);
        Assert.Equal((PointsBalance, $"customer {order.CustomerId}"), (violation.Invariant, violation.Subject));
        Assert.Contains("balance 31, grants add up to 30", violation.Detail);
    }

    [Fact]
    public void A_success_raised_to_a_saga_and_never_confirmed_settled_breaks_inbox_settled()
    {
        var raised = Healthy() with { Inbox = [.. Healthy().Inbox.Select(r => r.EventId == "msg_ok1" ? r with { State = InboxState.Raised } : r)] };
        AssertViolation(raised, InboxSettled, "msg_ok1", "raised to its saga");
    }

    [Fact]
    public void A_second_capture_for_a_completed_order_must_be_refunded()
    {
        var healthy = Healthy();
        var second = new PaymentSnapshot("pay-ok1-2", "ok1", "standard", PaymentStatus.Paid, 1000, 1000, "EUR", 0, T0);
        var kept = healthy with { GatewayPayments = [.. healthy.GatewayPayments, second] };
        AssertViolation(kept, PaymentsSettleOnce, "pay-ok1-2", "settled by its own payment pay-ok1");

        var refunded = kept with
        {
            GatewayPayments = [.. healthy.GatewayPayments, second with { RefundedMinor = 1000 }],
            Statement = [.. healthy.Statement, new StatementLine("pay-ok1-2", "ok1", "capture", 1000, "EUR", T0), new StatementLine("pay-ok1-2", "ok1", "refund", 1000, "EUR", T0)],
        };
        Assert.True(Check(refunded).AllHold, string.Join("\n", Check(refunded).Violations));
    }

    [Fact]
    public void Settled_online_is_broken_by_a_capture_still_unsettled_before_the_statement()
    {
        var healthy = Healthy();
        var unrefunded = healthy with
        {
            GatewayPayments = [.. healthy.GatewayPayments.Select(p => p.PaymentId == "pay-late1" ? p with { RefundedMinor = 0 } : p)],
            Statement = [.. healthy.Statement.Where(l => !(l.PaymentId == "pay-late1" && l.Type == "refund"))],
        };

        Assert.True(CheckSettledOnline(healthy).Holds);
        var verdict = CheckSettledOnline(unrefunded);
        Assert.False(verdict.Holds);
        Assert.Equal(SettledOnline, Assert.Single(verdict.Findings).Invariant);
    }

    [Fact]
    public void A_paid_order_whose_commit_was_parked_after_its_outage_bound_needs_an_operator_and_unparked_it_is_a_violation()
    {
        var healthy = Healthy();
        var uncommitted = healthy with
        {
            Orders = [.. healthy.Orders.Select(o => o.OrderId == "ok1" ? o with { Status = OrderStatus.Paid, Reason = "stock_commit_parked" } : o)],
            StockLevels = [new StockLevel("sku-a", 8, 2, 0)],
            Reservations = [.. healthy.Reservations.Select(r => r.OrderId == "ok1" ? r with { State = ReservationState.Reserved } : r)],
            Grants = [],
            PointsBalances = new Dictionary<string, long>(),
            Orchestrations = [.. healthy.Orchestrations.Select(o => o.InstanceId == OrderSaga.InstanceId("ok1") ? Saga("ok1", OrderStatus.Paid, "stock_commit_parked") : o)],
        };
        var parked = uncommitted with { Parked = [new ParkedItem("ok1", ParkedKinds.CommitFailed, "Commit parked", "payment pay-ok1", T0, null, 0)] };

        var report = Check(parked);
        Assert.True(report.AllHold, string.Join("\n", report.Violations));
        Assert.Contains(report.Verdicts.SelectMany(v => v.Findings), f => f.Severity == Severity.NeedsOperator && f.Subject.StartsWith("payment pay-ok1 ", StringComparison.Ordinal));
        Assert.False(Check(uncommitted).AllHold);
    }

    [Fact]
    public void A_dashboard_refund_no_notice_of_which_reached_the_pipeline_is_left_to_the_statement_and_one_noticed_is_not()
    {
        var healthy = Healthy();
        var refundedThere = healthy with
        {
            GatewayPayments = [.. healthy.GatewayPayments.Select(p => p.PaymentId == "pay-ok1" ? p with { RefundedMinor = 400 } : p)],
            Statement = [.. healthy.Statement, new StatementLine("pay-ok1", "ok1", "refund", 400, "EUR", T0, RefundId: "re-dash-1")],
            GatewayRefunds = [new RefundSnapshot("re-dash-1", "pay-ok1", 400, "EUR", "succeeded", T0, IdempotencyKey: RefundSnapshot.DashboardKeyPrefix + "1")],
        };
        var noticed = refundedThere with { Inbox = [.. healthy.Inbox, new InboxRow("standard", "msg_ok1_r", InboxState.Dispatched, PaymentEventKind.Refunded, "pay-ok1", "ok1")] };

        var verdict = CheckSettledOnline(refundedThere);
        Assert.True(verdict.Holds);
        Assert.NotEmpty(verdict.Findings);
        Assert.All(verdict.Findings, f => Assert.Equal(Severity.StatementOnly, f.Severity));
        Assert.Equal(["pay-ok1"], UnseenGatewayRefunds(refundedThere));
        // Noticed but never applied: the pipeline's own fault, not the statement's job.
        Assert.False(CheckSettledOnline(noticed).Holds);
        // And whatever the settled-online check says, the order is still Completed: until the statement records it, the money is not settled.
        Assert.False(Check(refundedThere).AllHold);
    }

    [Fact]
    public void A_second_capture_the_pipeline_never_received_is_left_to_the_statement_and_one_it_received_is_not()
    {
        var healthy = Healthy();
        var second = new PaymentSnapshot("pay-ok1-2", "ok1", "standard", PaymentStatus.Paid, 1000, 1000, "EUR", 0, T0);
        var unseen = healthy with { GatewayPayments = [.. healthy.GatewayPayments, second] };
        var seen = unseen with { Inbox = [.. healthy.Inbox, new InboxRow("standard", "msg_ok1_2", InboxState.Dispatched, PaymentEventKind.Succeeded, "pay-ok1-2", "ok1")] };

        var unseenVerdict = CheckSettledOnline(unseen);
        Assert.True(unseenVerdict.Holds);
        Assert.Equal(Severity.StatementOnly, Assert.Single(unseenVerdict.Findings).Severity);
        Assert.False(CheckSettledOnline(seen).Holds);

        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var healed = new StatementReport(day, 5, 1, [new Discrepancy(day, DiscrepancyClass.OtherPaymentCaptured, "pay-ok1-2", "ok1", 1000, "EUR", "refund_started", "")]);
        Assert.True(CheckStatementHealsNothing([healed], UnseenSecondCaptures(unseen)).Holds);
        Assert.False(CheckStatementHealsNothing([healed], UnseenSecondCaptures(seen)).Holds);
    }

    [Fact]
    public void A_statement_that_heals_anything_breaks_statement_heals_nothing()
    {
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var parkedOnly = new StatementReport(day, 5, 1, [new Discrepancy(day, DiscrepancyClass.AmountMismatch, "pay-x", "x", 1, "EUR", "parked", "")]);
        var healed = new StatementReport(day, 5, 1, [new Discrepancy(day, DiscrepancyClass.PaidButCancelled, "pay-y", "y", 1, "EUR", "refund_started", "")]);

        Assert.True(CheckStatementHealsNothing([parkedOnly]).Holds);
        Assert.Contains("PaidButCancelled -> refund_started", Assert.Single(CheckStatementHealsNothing([parkedOnly, healed]).Findings).Detail);
    }

    [Fact]
    public void A_terminated_saga_the_reconciler_settled_needs_an_operator_and_one_left_alone_is_a_violation()
    {
        var healthy = Healthy();
        var terminated = healthy with
        {
            Orchestrations = [.. healthy.Orchestrations.Select(o => o.InstanceId == OrderSaga.InstanceId("mm1") ? o with { RuntimeStatus = OrchestrationRuntimeStatus.Terminated, Outcome = null } : o)],
        };
        AssertViolation(terminated, SagasTerminal, "mm1", "saga is Terminated");

        var settled = terminated with
        {
            Orders = [.. healthy.Orders.Select(o => o.OrderId == "mm1" ? o with { Reason = "saga_failed" } : o)],
            Parked = [new ParkedItem("mm1", ParkedKinds.SagaCrashed, "terminated after Paid", "", T0, null, 0)],
        };
        var report = Check(settled);
        Assert.True(report.AllHold, string.Join("\n", report.Violations));
        Assert.Contains(report.NeedsOperator, f => f.Invariant == SagasTerminal && f.Subject == "order mm1");
    }

    private static InvariantReport AssertViolation(LedgerSnapshot ledger, string invariant, string subject, string detail)
    {
        var report = Check(ledger);
        Assert.False(report[invariant].Holds, $"{invariant} should be broken");
        Assert.Contains(report[invariant].Findings, f => f.Severity == Severity.Violation
            && (f.Subject.Contains(subject, StringComparison.Ordinal) || f.Detail.Contains(subject, StringComparison.Ordinal))
            && f.Detail.Contains(detail, StringComparison.Ordinal));
        return report;
    }

    private static StatementLine Capture(string paymentId, long amount) => new(paymentId, paymentId["pay-".Length..], "capture", amount, "EUR", T0);

    private static StatementLine Refund(string paymentId, long amount) => new(paymentId, paymentId["pay-".Length..], "refund", amount, "EUR", T0.AddSeconds(5));

    private static OrderRecord Order(string id, string customer, long amount, OrderStatus status, string? reason, long? paid) =>
        new(id, customer, "standard", "pay-" + id, amount, "EUR", status, reason, status.ToString(), paid, T0, T0.AddSeconds(3), [new OrderLine("sku-a", 1)]);

    private static OrchestrationRecord Saga(string orderId, OrderStatus status, string? reason) =>
        new(OrderSaga.InstanceId(orderId), OrchestrationRuntimeStatus.Completed, new SagaOutcome(status, reason), T0.AddSeconds(3));

    /// <summary>
    /// Four orders that went four different ways, every ledger consistent: ok1 completed; mm1 paid
    /// the wrong amount and was refunded; late1's payment failed, then it was paid anyway and
    /// refunded; to1 timed out unpaid.
    /// </summary>
    private static LedgerSnapshot Healthy() => new()
    {
        Orders =
        [
            Order("ok1", "cust-1", 1000, OrderStatus.Completed, null, 1000),
            Order("mm1", "cust-2", 1000, OrderStatus.Refunded, "amount_mismatch", null),
            Order("late1", "cust-2", 500, OrderStatus.Cancelled, "payment_failed", null),
            Order("to1", "cust-3", 700, OrderStatus.Cancelled, "timeout", null),
        ],
        OrderLines = new Dictionary<string, IReadOnlyList<OrderLine>>
        {
            ["ok1"] = [new OrderLine("sku-a", 2)],
            ["mm1"] = [new OrderLine("sku-a", 1)],
            ["late1"] = [new OrderLine("sku-a", 1)],
            ["to1"] = [new OrderLine("sku-a", 1)],
        },
        GatewayPayments =
        [
            new PaymentSnapshot("pay-ok1", "ok1", "standard", PaymentStatus.Paid, 1000, 1000, "EUR", 0, T0),
            new PaymentSnapshot("pay-mm1", "mm1", "standard", PaymentStatus.Paid, 1000, 990, "EUR", 990, T0),
            new PaymentSnapshot("pay-late1", "late1", "standard", PaymentStatus.Paid, 500, 500, "EUR", 500, T0),
            new PaymentSnapshot("pay-to1", "to1", "standard", PaymentStatus.Closed, 700, 0, "EUR", 0, null),
        ],
        Statement =
        [
            Capture("pay-ok1", 1000), Capture("pay-mm1", 990), Refund("pay-mm1", 990), Capture("pay-late1", 500), Refund("pay-late1", 500),
        ],
        InitialStock = new Dictionary<string, long> { ["sku-a"] = 10 },
        StockLevels = [new StockLevel("sku-a", 8, 0, 2)],
        Reservations =
        [
            new StockReservation("sku-a", "ok1", ReservationState.Committed, 2),
            new StockReservation("sku-a", "mm1", ReservationState.Released, 1),
            new StockReservation("sku-a", "late1", ReservationState.Released, 1),
            new StockReservation("sku-a", "to1", ReservationState.Released, 1),
        ],
        Grants = [new PointsGrant("cust-1", "ok1", 10)],
        PointsBalances = new Dictionary<string, long> { ["cust-1"] = 10 },
        Orchestrations =
        [
            Saga("ok1", OrderStatus.Completed, null),
            Saga("mm1", OrderStatus.Refunded, "amount_mismatch"),
            Saga("late1", OrderStatus.Cancelled, "payment_failed"),
            Saga("to1", OrderStatus.Cancelled, "timeout"),
            new OrchestrationRecord(LatePaymentRefund.InstanceId("pay-late1"), OrchestrationRuntimeStatus.Completed, new SagaOutcome(OrderStatus.Refunded, "late_payment"), T0.AddSeconds(9)),
        ],
        Inbox =
        [
            new InboxRow("standard", "msg_ok1", InboxState.Dispatched, PaymentEventKind.Succeeded, "pay-ok1", "ok1"),
            new InboxRow("standard", "msg_mm1", InboxState.Dispatched, PaymentEventKind.Succeeded, "pay-mm1", "mm1"),
            new InboxRow("standard", "msg_mm1_refund", InboxState.Dispatched, PaymentEventKind.Refunded, "pay-mm1", "mm1"),
            new InboxRow("stripe", "evt_late1_failed", InboxState.Dispatched, PaymentEventKind.Failed, "pay-late1", "late1"),
            new InboxRow("stripe", "evt_late1_paid", InboxState.Dispatched, PaymentEventKind.Succeeded, "pay-late1", "late1"),
        ],
    };
}
