using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Demo.Invariants;

/// <summary>
/// Checks a <see cref="LedgerSnapshot"/> taken after quiescence against what the pipeline
/// promises, whatever faults it went through. Pure: no I/O, so the same snapshot always gets the
/// same verdicts, and tests can feed it ledgers corrupted by hand.
/// </summary>
/// <remarks>
/// Parked work is judged by what it leaves behind. A payment captured for an order that did not
/// complete, whose refund is parked for an operator (<see cref="ParkedKinds.RefundFailed"/>, order
/// <see cref="OrderStatus.RefundPending"/>), is reported as <see cref="Severity.NeedsOperator"/>,
/// not as a violation: the money is not yet back, but the pipeline knows and an operator can
/// finish it with one call. The same payment with nothing parked is a violation: nobody would
/// ever give that money back. Likewise points parked after their retries ran out, dead letters
/// parked for an operator and parked reconciliation discrepancies.
/// </remarks>
public static class InvariantChecker
{
    public const string PaymentsSettleOnce = "payments-settle-once";
    public const string StockCommittedOnce = "stock-committed-once";
    public const string StockConserved = "stock-conserved";
    public const string NoStockHeld = "no-stock-held";
    public const string PointsGrantedOnce = "points-granted-once";
    public const string PointsBalance = "points-balance";
    public const string SagasTerminal = "sagas-terminal";
    public const string InboxOneRowPerEvent = "inbox-one-row-per-event";
    public const string InboxSettled = "inbox-settled";
    public const string SettledOnline = "settled-online";
    public const string StatementHealsNothing = "statement-heals-nothing";
    public const string RefundsFinal = "refunds-final";
    public const string LedgerAgreesWithGateway = "ledger-agrees-with-gateway";
    public const string PointsReversed = "points-reversed";

    private const string PointsParkedKind = "points_grant";
    private const string CloseFailedKind = "close_failed";
    private const string SagaCrashedKind = "saga_crashed";
    private const string ReconciliationKindPrefix = "reconciliation_";

    /// <summary>
    /// A paid order whose stock commit got no answer for the saga's whole storage-outage bound: left Paid
    /// and parked (saga 4.0), because no answer is no reason to send a customer's money back.
    /// </summary>
    private static bool IsCommitParked(Facts facts, OrderRecord order) =>
        order.Status == OrderStatus.Paid && facts.IsParked(ParkedKinds.CommitFailed, order.OrderId);

    public static bool IsTerminal(OrderStatus status) =>
        status is OrderStatus.Completed or OrderStatus.Cancelled or OrderStatus.Refunded or OrderStatus.RefundPending or OrderStatus.PartiallyRefunded;

    public static InvariantReport Check(LedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var facts = new Facts(snapshot);
        return new InvariantReport(
        [
            CheckPayments(facts),
            CheckStockCommits(facts),
            CheckStockConservation(facts),
            CheckNoStockHeld(facts),
            CheckPointsGrants(facts),
            CheckPointsBalances(facts),
            CheckSagas(facts),
            CheckInboxRows(facts),
            CheckInboxSettled(facts),
            CheckRefundsFinal(facts),
            CheckLedgerAgreesWithGateway(facts),
            CheckPointsReversed(facts),
        ]);
    }

    /// <summary>
    /// Checked right after quiescence, before the operator's end of day runs the statement: every
    /// captured payment is already settled (its order Completed with that very payment, or refunded
    /// once, in full) by the pipeline's online paths alone.
    /// </summary>
    public static InvariantVerdict CheckSettledOnline(LedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var verdict = CheckPayments(new Facts(snapshot), SettledOnline,
            "Before the statement runs, every captured payment is settled by the online paths: its order Completed with that payment, or refunded once, in full.");
        var unseenCaptures = UnseenSecondCaptures(snapshot);
        var unseenRefunds = UnseenGatewayRefunds(snapshot);
        return verdict with
        {
            Findings = [.. verdict.Findings.Select(f => f.Severity != Severity.Violation ? f
                : unseenCaptures.Any(id => IsAbout(f, id)) ? f with { Severity = Severity.StatementOnly, Detail = f.Detail + "; no notice of this payment id ever reached the pipeline" }
                : unseenRefunds.Any(id => IsAbout(f, id)) ? f with { Severity = Severity.StatementOnly, Detail = f.Detail + "; refunded at the gateway, and no notice of that refund ever reached the pipeline" }
                : f)],
        };

        static bool IsAbout(Finding finding, string paymentId) => finding.Subject.StartsWith($"payment {paymentId} ", StringComparison.Ordinal);
    }

    /// <summary>
    /// Payments refunded at the gateway by someone else (a dashboard, a merchant console) whose refund the
    /// money ledger does not hold and of which no refund notice reached the pipeline: every notice lost, so
    /// only the statement can tell (and applies it, as the notice would have).
    /// </summary>
    public static IReadOnlySet<string> UnseenGatewayRefunds(LedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var recorded = snapshot.Money.Where(m => m.Kind == MoneyKinds.Refund && m.GatewayRefundId is not null).Select(m => m.GatewayRefundId!).ToHashSet(StringComparer.Ordinal);
        var noticed = snapshot.Inbox.Where(r => r.Kind is PaymentEventKind.Refunded or PaymentEventKind.RefundFailed && r.PaymentId is not null)
            .Select(r => r.PaymentId!).ToHashSet(StringComparer.Ordinal);
        return snapshot.GatewayRefunds
            .Where(r => r.MadeInDashboard && !recorded.Contains(r.RefundId) && !noticed.Contains(r.PaymentId))
            .Select(r => r.PaymentId)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Captures under a payment id that is not their order's own and that the pipeline never received
    /// (no inbox row): every webhook lost, and the port has no way to list an order's other payments.
    /// </summary>
    public static IReadOnlySet<string> UnseenSecondCaptures(LedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var orders = snapshot.Orders.GroupBy(o => o.OrderId).ToDictionary(g => g.Key, g => g.First());
        var received = snapshot.Inbox.Where(r => r.PaymentId is not null).Select(r => r.PaymentId!).ToHashSet(StringComparer.Ordinal);
        return snapshot.GatewayPayments
            .Where(p => p.Status == PaymentStatus.Paid && orders.TryGetValue(p.OrderId, out var o) && o.PaymentId != p.PaymentId && !received.Contains(p.PaymentId))
            .Select(p => p.PaymentId)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The statement run after a settled-online check finds nothing to heal: no payment applied, no
    /// refund started by it (parked discrepancies are an operator's, reported as such).
    /// </summary>
    /// <param name="unseen">Payment ids no online path could know (<see cref="UnseenSecondCaptures"/>): healing those is the statement's job.</param>
    public static InvariantVerdict CheckStatementHealsNothing(IEnumerable<StatementReport> statements, IReadOnlySet<string>? unseen = null)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var all = statements.ToArray();
        var findings = all.SelectMany(s => s.Discrepancies)
            .Where(d => d.Action is "refund_started" or "payment_applied")
            .Select(d => unseen?.Contains(d.PaymentId) == true
                ? new Finding(StatementHealsNothing, Severity.StatementOnly, $"payment {d.PaymentId} (order {d.OrderId})",
                    $"{d.Class} -> {d.Action}: a payment id the pipeline never received, so only the statement could see it")
                : new Finding(StatementHealsNothing, Severity.Violation, $"payment {d.PaymentId} (order {d.OrderId})",
                    $"healed only by the statement: {d.Class} -> {d.Action}"))
            .ToArray();
        return new InvariantVerdict(StatementHealsNothing,
            "The end-of-day statement finds nothing to heal: every capture was settled online first.",
            all.Sum(s => s.Discrepancies.Count), findings);
    }

    /// <summary>Every captured payment ends as exactly one of: order Completed with it and never refunded, or refunded once, in full.</summary>
    private static InvariantVerdict CheckPayments(Facts facts) => CheckPayments(facts, PaymentsSettleOnce,
        "Every captured payment ends as exactly one of: order Completed with that payment and not refunded, refunded once, in full, or refunded after the sale (or charged back) as the money ledger says.");

    private static InvariantVerdict CheckPayments(Facts facts, string invariant, string statement)
    {
        var findings = new List<Finding>();
        void Violation(string subject, string detail) => findings.Add(new(invariant, Severity.Violation, subject, detail));
        void Operator(string subject, string detail) => findings.Add(new(invariant, Severity.NeedsOperator, subject, detail));

        foreach (var payment in facts.Snapshot.GatewayPayments)
        {
            var subject = $"payment {payment.PaymentId} (order {payment.OrderId})";
            var refunds = facts.RefundsOf(payment.PaymentId);
            var order = facts.Order(payment.OrderId);
            // An order settles by its own payment only; a second capture for it must be refunded.
            var settlesOrder = order?.Status == OrderStatus.Completed && order.PaymentId == payment.PaymentId;
            if (payment.Status != PaymentStatus.Paid)
            {
                if (refunds.Count > 0)
                {
                    Violation(subject, $"{refunds.Count} refund(s) for a payment that is {payment.Status}, never captured");
                }
                if (payment.Status == PaymentStatus.Pending && order is { } open && IsTerminal(open.Status) && facts.IsParked(CloseFailedKind, payment.OrderId))
                {
                    Operator(subject, $"order {open.Status} but its payment could not be closed at the gateway (parked {CloseFailedKind})");
                }
                continue;
            }

            if (order is not null && order.PaymentId == payment.PaymentId && facts.ReversedBy(order) is null && facts.IsParked(ParkedKinds.DisputeWonAfterReversal, order.OrderId))
            {
                // Reversed for a chargeback the merchant later won back: nothing re-granted by design, the operator decides.
                Operator(subject, $"order {order.Status} for a dispute won after the reversal; parked {ParkedKinds.DisputeWonAfterReversal}");
                continue;
            }
            if (order is not null && order.PaymentId == payment.PaymentId && facts.ReversedBy(order) is { } reversed)
            {
                // Completed, then refunded after the sale or at the gateway, or charged back: the gateway's refunds and lost
                // disputes are the ledger's, and the order says how much.
                var gatewayRefunded = refunds.Sum(r => r.AmountMinor) + facts.LostDisputesOf(payment.PaymentId).Sum(d => d.AmountMinor);
                var expected = order.Status == OrderStatus.Refunded ? payment.PaidAmountMinor : reversed;
                if (gatewayRefunded != reversed || expected != reversed || (order.Status == OrderStatus.PartiallyRefunded && reversed >= payment.PaidAmountMinor))
                {
                    Violation(subject, $"order {order.Status}: the gateway refunded {gatewayRefunded}, the money ledger says {reversed} paid back, of {payment.PaidAmountMinor} {payment.Currency} captured");
                }
                continue;
            }
            if (settlesOrder && facts.LostDisputesOf(payment.PaymentId).Any())
            {
                Violation(subject, "a dispute of it was lost at the gateway, yet its order is still Completed (never reversed)");
            }
            if (refunds.Count > 1)
            {
                Violation(subject, $"refunded {refunds.Count} times ({string.Join(" + ", refunds.Select(r => r.AmountMinor))} {payment.Currency})");
            }
            else if (refunds.Count == 1)
            {
                var refund = refunds[0];
                if (refund.AmountMinor != payment.PaidAmountMinor || refund.Currency != payment.Currency)
                {
                    Violation(subject, $"refunded {refund.AmountMinor} {refund.Currency} of {payment.PaidAmountMinor} {payment.Currency} captured");
                }
                if (settlesOrder)
                {
                    Violation(subject, "refunded, yet its order is Completed (the customer keeps goods and money)");
                }
            }
            else if (!settlesOrder)
            {
                var state = order is null ? "the pipeline has no such order" : $"order is {order.Status}" + (order.Reason is { } r ? $" ({r})" : "")
                    + (order is not null && order.PaymentId != payment.PaymentId ? $", settled by its own payment {order.PaymentId}" : "");
                if (order is not null && (order.Status == OrderStatus.RefundPending || facts.IsParked(ParkedKinds.RefundFailed, order.OrderId)))
                {
                    Operator(subject, $"captured {payment.PaidAmountMinor} {payment.Currency}, {state}; its refund is parked for an operator");
                }
                else if (order is not null && order.PaymentId == payment.PaymentId && IsCommitParked(facts, order))
                {
                    Operator(subject, $"captured {payment.PaidAmountMinor} {payment.Currency}, {state}; its stock commit is parked for an operator (commit and complete, or refund)");
                }
                else
                {
                    Violation(subject, $"captured {payment.PaidAmountMinor} {payment.Currency}, never refunded, and {state}");
                }
            }
        }

        foreach (var order in facts.Snapshot.Orders)
        {
            var subject = $"order {order.OrderId}";
            var payment = facts.Payment(order.PaymentId);
            switch (order.Status)
            {
                case OrderStatus.Completed when payment is not { Status: PaymentStatus.Paid }:
                    Violation(subject, $"Completed, but its payment {order.PaymentId} is {payment?.Status ?? "unknown to the gateway"}");
                    break;
                case OrderStatus.Completed when payment.PaidAmountMinor != order.AmountMinor || payment.Currency != order.Currency:
                    Violation(subject, $"Completed for {order.AmountMinor} {order.Currency}, but the gateway captured {payment.PaidAmountMinor} {payment.Currency}");
                    break;
                case OrderStatus.Refunded when payment is not { Status: PaymentStatus.Paid }:
                    Violation(subject, $"Refunded, but its payment {order.PaymentId} was never captured ({payment?.Status ?? "unknown to the gateway"})");
                    break;
            }
        }

        foreach (var item in facts.Snapshot.Parked.Where(p => p.Kind.StartsWith(ReconciliationKindPrefix, StringComparison.Ordinal)))
        {
            Operator($"order {item.OrderId}", $"reconciliation parked {item.Kind}: {item.Detail}");
        }
        return new InvariantVerdict(invariant, statement, facts.Snapshot.GatewayPayments.Count, findings);
    }

    /// <summary>Stock is committed at most once per order and sku, and only for (all lines of) Completed orders.</summary>
    private static InvariantVerdict CheckStockCommits(Facts facts)
    {
        var findings = new List<Finding>();
        void Violation(string subject, string detail) => findings.Add(new(StockCommittedOnce, Severity.Violation, subject, detail));

        foreach (var duplicate in facts.Snapshot.Reservations.GroupBy(r => (r.Sku, r.OrderId)).Where(g => g.Count() > 1))
        {
            Violation($"order {duplicate.Key.OrderId}", $"{duplicate.Count()} reservation rows for {duplicate.Key.Sku}");
        }
        foreach (var level in facts.Snapshot.StockLevels)
        {
            var committedRows = facts.ReservationsOf(level.Sku).Where(r => r.State == ReservationState.Committed).Sum(r => r.Quantity);
            if (level.Committed != committedRows)
            {
                Violation($"sku {level.Sku}", $"level says {level.Committed} committed, the orders' committed reservations add up to {committedRows}");
            }
        }
        foreach (var commit in facts.Snapshot.Reservations.Where(r => r.State == ReservationState.Committed))
        {
            var status = facts.Order(commit.OrderId)?.Status;
            if (facts.Order(commit.OrderId) is { } parkedOrder && IsCommitParked(facts, parkedOrder))
            {
                // The commit whose answer never came landed after all (a stale worker's): the operator completes the order.
                findings.Add(new(StockCommittedOnce, Severity.NeedsOperator, $"order {commit.OrderId}",
                    $"{commit.Quantity} × {commit.Sku} committed; the order is Paid with its commit parked for an operator"));
            }
            else if (status != OrderStatus.Completed && !(facts.Order(commit.OrderId) is { } reversedOrder && facts.ReversedAfterSale(reversedOrder)))
            {
                Violation($"order {commit.OrderId}", $"{commit.Quantity} × {commit.Sku} committed, but the order is {status?.ToString() ?? "unknown"}");
            }
        }
        foreach (var order in facts.Snapshot.Orders.Where(o => o.Status == OrderStatus.Completed))
        {
            var held = facts.Snapshot.Reservations.Where(r => r.OrderId == order.OrderId).ToArray();
            var lines = facts.Snapshot.OrderLines.GetValueOrDefault(order.OrderId);
            var uncommitted = lines is null
                ? held.Length == 0 ? ["any sku"] : held.Where(r => r.State != ReservationState.Committed).Select(r => r.Sku).ToArray()
                : lines.Where(l => !held.Any(r => r.Sku == l.Sku && r.State == ReservationState.Committed && r.Quantity == l.Quantity)).Select(l => l.Sku).ToArray();
            if (uncommitted.Length > 0)
            {
                Violation($"order {order.OrderId}", $"Completed without committed stock for {string.Join(", ", uncommitted)}");
            }
        }
        return new InvariantVerdict(StockCommittedOnce,
            "No order commits stock more than once; stock is committed exactly for the lines of Completed orders.",
            facts.Snapshot.Reservations.Count, findings);
    }

    /// <summary>Per sku: available + reserved + committed equals what it started with, and the level agrees with its reservation rows.</summary>
    private static InvariantVerdict CheckStockConservation(Facts facts)
    {
        var findings = new List<Finding>();
        void Violation(string subject, string detail) => findings.Add(new(StockConserved, Severity.Violation, subject, detail));

        var levels = facts.Snapshot.StockLevels.ToDictionary(l => l.Sku);
        foreach (var (sku, initial) in facts.Snapshot.InitialStock)
        {
            if (!levels.TryGetValue(sku, out var level))
            {
                Violation($"sku {sku}", $"started with {initial}, now has no level row");
                continue;
            }
            var total = level.Available + level.Reserved + level.Committed;
            if (total != initial)
            {
                Violation($"sku {sku}", $"available {level.Available} + reserved {level.Reserved} + committed {level.Committed} = {total}, started with {initial}");
            }
        }
        foreach (var level in facts.Snapshot.StockLevels)
        {
            if (level.Available < 0 || level.Reserved < 0 || level.Committed < 0)
            {
                Violation($"sku {level.Sku}", $"negative count: available {level.Available}, reserved {level.Reserved}, committed {level.Committed}");
            }
            var reservedRows = facts.ReservationsOf(level.Sku).Where(r => r.State == ReservationState.Reserved).Sum(r => r.Quantity);
            if (level.Reserved != reservedRows)
            {
                Violation($"sku {level.Sku}", $"level says {level.Reserved} reserved, the orders' open reservations add up to {reservedRows}");
            }
        }
        foreach (var orphan in facts.Snapshot.Reservations.Select(r => r.Sku).Distinct().Where(s => !levels.ContainsKey(s)))
        {
            Violation($"sku {orphan}", "reservation rows without a level row");
        }
        return new InvariantVerdict(StockConserved,
            "Per sku, available + reserved + committed = initial stock, and the level row agrees with the reservation rows.",
            facts.Snapshot.StockLevels.Count, findings);
    }

    /// <summary>A finished order holds no stock: every reservation was committed or released.</summary>
    private static InvariantVerdict CheckNoStockHeld(Facts facts)
    {
        var findings = new List<Finding>();
        foreach (var held in facts.Snapshot.Reservations.Where(r => r.State == ReservationState.Reserved))
        {
            var order = facts.Order(held.OrderId);
            if (order is null || IsTerminal(order.Status))
            {
                findings.Add(new(NoStockHeld, Severity.Violation, $"order {held.OrderId}",
                    $"still holds {held.Quantity} × {held.Sku} reserved, order is {order?.Status.ToString() ?? "unknown"}"));
            }
        }
        return new InvariantVerdict(NoStockHeld,
            "No reserved stock is left for a terminal order.",
            facts.Snapshot.Reservations.Count, findings);
    }

    /// <summary>Points are granted at most once per order, only for Completed orders, and every Completed order got them (or parked them).</summary>
    private static InvariantVerdict CheckPointsGrants(Facts facts)
    {
        var findings = new List<Finding>();
        void Violation(string subject, string detail) => findings.Add(new(PointsGrantedOnce, Severity.Violation, subject, detail));

        foreach (var grants in facts.Snapshot.Grants.GroupBy(g => g.OrderId))
        {
            var order = facts.Order(grants.Key);
            if (grants.Count() > 1)
            {
                Violation($"order {grants.Key}", $"{grants.Count()} points grants ({string.Join(", ", grants.Select(g => $"{g.Points} to {g.CustomerId}"))})");
            }
            if (order?.Status != OrderStatus.Completed && !(order is not null && facts.ReversedAfterSale(order)))
            {
                Violation($"order {grants.Key}", $"points granted, but the order is {order?.Status.ToString() ?? "unknown"}");
            }
            else if (grants.Any(g => g.CustomerId != order.CustomerId))
            {
                Violation($"order {grants.Key}", $"points granted to {string.Join(", ", grants.Select(g => g.CustomerId))}, the order's customer is {order.CustomerId}");
            }
        }
        foreach (var order in facts.Snapshot.Orders.Where(o => o.Status == OrderStatus.Completed && !facts.Snapshot.Grants.Any(g => g.OrderId == o.OrderId)))
        {
            findings.Add(facts.IsParked(PointsParkedKind, order.OrderId)
                ? new(PointsGrantedOnce, Severity.NeedsOperator, $"order {order.OrderId}", "Completed; its points grant ran out of retries and is parked for an operator")
                : new(PointsGrantedOnce, Severity.Violation, $"order {order.OrderId}", "Completed without a points grant, and nothing is parked"));
        }
        return new InvariantVerdict(PointsGrantedOnce,
            "No order is granted points more than once; exactly the Completed orders get a grant (or a parked one).",
            facts.Snapshot.Grants.Count, findings);
    }

    /// <summary>Each customer's balance is the sum of their grants.</summary>
    private static InvariantVerdict CheckPointsBalances(Facts facts)
    {
        var findings = new List<Finding>();
        var reversed = facts.Snapshot.Reversals.GroupBy(r => r.CustomerId).ToDictionary(g => g.Key, g => g.Sum(x => x.Points));
        var sums = facts.Snapshot.Grants.GroupBy(g => g.CustomerId).ToDictionary(g => g.Key, g => g.Sum(x => x.Points));
        var customers = sums.Keys.Union(facts.Snapshot.PointsBalances.Keys).Order(StringComparer.Ordinal).ToArray();
        foreach (var customer in customers)
        {
            var balance = facts.Snapshot.PointsBalances.GetValueOrDefault(customer);
            var granted = sums.GetValueOrDefault(customer);
            var taken = reversed.GetValueOrDefault(customer);
            if (balance != granted - taken)
            {
                findings.Add(new(PointsBalance, Severity.Violation, $"customer {customer}", $"balance {balance}, grants add up to {granted}" + (taken > 0 ? $", less {taken} reversed" : "")));
            }
        }
        return new InvariantVerdict(PointsBalance, "Each customer's points balance equals their grants less their reversals.", customers.Length, findings);
    }

    /// <summary>After quiescence every saga and refund orchestration has finished, and the read model agrees with each saga's outcome.</summary>
    private static InvariantVerdict CheckSagas(Facts facts)
    {
        var findings = new List<Finding>();
        void Violation(string subject, string detail) => findings.Add(new(SagasTerminal, Severity.Violation, subject, detail));

        var orderIds = facts.Snapshot.Orders.Select(o => o.OrderId).Union(facts.Snapshot.GatewayPayments.Select(p => p.OrderId)).ToHashSet();
        foreach (var orderId in orderIds.Order(StringComparer.Ordinal))
        {
            var saga = facts.Orchestration(OrderSaga.InstanceId(orderId));
            var order = facts.Order(orderId);
            var subject = $"order {orderId}";
            if (order is null)
            {
                Violation(subject, "has a payment at the gateway but was never registered");
                continue;
            }
            if (saga is null)
            {
                Violation(subject, $"registered ({order.Status}) but has no saga");
            }
            else if (saga.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                // A saga that crashed (or was terminated) is the reconciler's to settle: parked loudly, its order ended by it.
                // Settled by the reconciler (its order ended by it), or ended before it stopped (an activity that
                // outlived its terminated saga finished the order) and parked so by the reconciler.
                if (saga.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated
                    && facts.IsParked(SagaCrashedKind, orderId) && IsTerminal(order.Status))
                {
                    findings.Add(new(SagasTerminal, Severity.NeedsOperator, subject, $"saga {saga.RuntimeStatus}; the reconciler found its order {order.Status} and parked it"));
                }
                else
                {
                    Violation(subject, $"saga is {saga.RuntimeStatus}, read model says {order.Status}");
                }
            }
            else if (saga.Outcome is { } outcome && outcome.Status != order.Status
                && !(outcome.Status == OrderStatus.Completed && facts.ReversedAfterSale(order))
                && !(outcome.Status == OrderStatus.Refunded && order.Status == OrderStatus.RefundPending && facts.IsParked(ParkedKinds.RefundFailed, orderId)))
            {
                Violation(subject, $"saga ended {outcome.Status}, read model says {order.Status}");
            }
            if (IsCommitParked(facts, order))
            {
                findings.Add(new(SagasTerminal, Severity.NeedsOperator, subject, "paid, its stock commit never answered within the outage bound; parked for an operator, not refunded"));
            }
            else if (!IsTerminal(order.Status))
            {
                Violation(subject, $"read model still {order.Status} ({order.Step})");
            }
        }
        foreach (var refund in facts.Snapshot.Orchestrations.Where(o => o.InstanceId.StartsWith("refund-", StringComparison.Ordinal) || o.InstanceId.StartsWith("aftersales-", StringComparison.Ordinal)))
        {
            if (refund.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                Violation(refund.InstanceId, $"refund orchestration is {refund.RuntimeStatus}");
            }
        }
        return new InvariantVerdict(SagasTerminal,
            "After quiescence no saga (nor refund orchestration) is left running, failed or missing; read model and saga agree.",
            orderIds.Count, findings);
    }

    /// <summary>
    /// Duplicated deliveries collapse into one inbox row per gateway event: per payment at most one
    /// success and one failure row, and no more refund rows than refunds the gateway made.
    /// </summary>
    private static InvariantVerdict CheckInboxRows(Facts facts)
    {
        var findings = new List<Finding>();
        var rows = facts.Snapshot.Inbox.Where(r => r is { Kind: not null, PaymentId: not null }).ToArray();
        foreach (var group in rows.GroupBy(r => (r.Provider, PaymentId: r.PaymentId!, Kind: r.Kind!.Value)))
        {
            var payment = facts.Payment(group.Key.PaymentId);
            var allowed = group.Key.Kind switch
            {
                PaymentEventKind.Succeeded => payment?.Status == PaymentStatus.Paid ? 1 : 0,
                PaymentEventKind.Failed or PaymentEventKind.Closed => 1,
                // Each dispute says each of its words once (Adyen's lost-then-reversed says lost and won once each).
                PaymentEventKind.DisputeOpened or PaymentEventKind.DisputeFundsWithdrawn or PaymentEventKind.DisputeFundsReinstated
                    or PaymentEventKind.DisputeWon or PaymentEventKind.DisputeLost => facts.DisputesOf(group.Key.PaymentId).Count(),
                // A refund the gateway accepted and then failed announces its failure once; it moved no money, so no statement line.
                PaymentEventKind.RefundFailed => facts.Snapshot.GatewayRefunds.Count(r => r.PaymentId == group.Key.PaymentId && r.Status == "failed"),
                _ => facts.RefundsOf(group.Key.PaymentId).Count,
            };
            if (group.Count() > allowed)
            {
                findings.Add(new(InboxOneRowPerEvent, Severity.Violation, $"payment {group.Key.PaymentId}",
                    $"{group.Count()} inbox rows for {group.Key.Provider} {group.Key.Kind} events, the gateway made {allowed} such event(s): {string.Join(", ", group.Select(r => r.EventId))}"));
            }
        }
        return new InvariantVerdict(InboxOneRowPerEvent,
            "One inbox row per distinct gateway event: duplicates and retries never add rows.",
            facts.Snapshot.Inbox.Count, findings);
    }

    /// <summary>Every stored callback was applied: none left waiting for dispatch, none riding the lane unless parked for an operator.</summary>
    private static InvariantVerdict CheckInboxSettled(Facts facts)
    {
        var findings = new List<Finding>();
        var parkedEvents = facts.Snapshot.DeadLetters
            .Where(l => l.Status == LetterStatus.Parked && l.EventId is not null)
            .Select(l => (l.Provider, l.EventId))
            .ToHashSet();
        foreach (var row in facts.Snapshot.Inbox)
        {
            var subject = $"{row.Provider} event {row.EventId} (order {row.OrderId})";
            if (row.State == InboxState.Received)
            {
                findings.Add(new(InboxSettled, Severity.Violation, subject, "stored but never dispatched"));
            }
            else if (row.State == InboxState.Raised)
            {
                findings.Add(new(InboxSettled, Severity.Violation, subject, "raised to its saga, and nobody confirmed the saga settled it"));
            }
            else if (row.State == InboxState.Queued && !parkedEvents.Contains((row.Provider, row.EventId)))
            {
                findings.Add(new(InboxSettled, Severity.Violation, subject, "queued for the retry lane, neither applied nor dead-lettered"));
            }
        }
        foreach (var letter in facts.Snapshot.DeadLetters.Where(l => l.Status == LetterStatus.Parked))
        {
            findings.Add(new(InboxSettled, Severity.NeedsOperator, $"dead letter {letter.Id} (order {letter.OrderId})", $"parked: {letter.Reason}"));
        }
        return new InvariantVerdict(InboxSettled,
            "Every stored callback was applied: none left Received or Raised, none Queued unless its dead letter is parked for an operator.",
            facts.Snapshot.Inbox.Count, findings);
    }

    /// <summary>
    /// A refund accepted is not a refund paid: after quiescence every refund in the money ledger is final;
    /// one that failed or was closed is answered by a later attempt that paid, or parked for an operator.
    /// </summary>
    private static InvariantVerdict CheckRefundsFinal(Facts facts)
    {
        var findings = new List<Finding>();
        var refunds = facts.Snapshot.Money.Where(m => m.Kind == MoneyKinds.Refund).ToList();
        foreach (var refund in refunds)
        {
            var subject = $"refund {refund.Key} (order {refund.OrderId})";
            switch (refund.RefundState)
            {
                case RefundState.Succeeded:
                    break;
                case RefundState.Failed or RefundState.Closed:
                    if (refunds.Any(r => r.PaymentId == refund.PaymentId && r.RequestKey == refund.RequestKey && r.Attempt > refund.Attempt && r.RefundState == RefundState.Succeeded))
                    {
                        break; // paid under a later attempt's key
                    }
                    findings.Add(facts.IsParked(ParkedKinds.RefundFailed, refund.OrderId)
                        ? new(RefundsFinal, Severity.NeedsOperator, subject, $"{refund.State} at {refund.Provider}; parked for an operator's retry")
                        : new(RefundsFinal, Severity.Violation, subject, $"{refund.State} at {refund.Provider}, and nothing is parked: the customer was not paid back"));
                    break;
                default:
                    findings.Add(new(RefundsFinal, Severity.Violation, subject, $"still {refund.State} after the pipeline went quiet"));
                    break;
            }
        }
        return new InvariantVerdict(RefundsFinal,
            "Every refund in the money ledger is final: paid, or failed with a later attempt paid or an operator's retry parked.", refunds.Count, findings);
    }

    /// <summary>The money ledger and the gateway agree on every refund: each the gateway made is in the ledger in the same amount, currency and state, and each the ledger says paid, the gateway paid.</summary>
    private static InvariantVerdict CheckLedgerAgreesWithGateway(Facts facts)
    {
        var findings = new List<Finding>();
        void Violation(string subject, string detail) => findings.Add(new(LedgerAgreesWithGateway, Severity.Violation, subject, detail));
        var ledger = facts.Snapshot.Money.Where(m => m.Kind == MoneyKinds.Refund).ToList();
        foreach (var refund in facts.Snapshot.GatewayRefunds)
        {
            var subject = $"gateway refund {refund.RefundId} of payment {refund.PaymentId}";
            var recorded = ledger.FirstOrDefault(m => m.PaymentId == refund.PaymentId && Names(m, refund));
            if (recorded is null)
            {
                Violation(subject, $"{refund.Status} {refund.AmountMinor} {refund.Currency}: not in the money ledger");
            }
            else if (recorded.AmountMinor != refund.AmountMinor || recorded.Currency != refund.Currency)
            {
                Violation(subject, $"the gateway refunded {refund.AmountMinor} {refund.Currency}, the ledger says {recorded.AmountMinor} {recorded.Currency}");
            }
            else if ((refund.Status == "succeeded") != (recorded.RefundState == RefundState.Succeeded) || (refund.Status == "failed") != (recorded.RefundState == RefundState.Failed))
            {
                Violation(subject, $"the gateway says {refund.Status}, the ledger says {recorded.State}");
            }
        }
        foreach (var paid in ledger.Where(m => m.RefundState == RefundState.Succeeded && m.Provider != "adyen"))
        {
            if (!facts.Snapshot.GatewayRefunds.Any(r => r.PaymentId == paid.PaymentId && r.Status == "succeeded" && Names(paid, r)))
            {
                Violation($"refund {paid.Key} (order {paid.OrderId})", "the ledger says paid; the gateway has no such refund paid");
            }
        }
        var disputes = facts.Snapshot.Money.Where(m => m.Kind == MoneyKinds.Dispute).ToList();
        foreach (var dispute in facts.Snapshot.GatewayDisputes)
        {
            var subject = $"gateway dispute {dispute.DisputeId} of payment {dispute.PaymentId}";
            var recorded = disputes.FirstOrDefault(m => m.PaymentId == dispute.PaymentId && m.Key == dispute.DisputeId);
            var expected = dispute.Status switch { "won" => DisputeState.Won, "lost" => DisputeState.Lost, _ => DisputeState.Opened };
            if (recorded is null)
            {
                Violation(subject, $"{dispute.Status} {dispute.AmountMinor} {dispute.Currency}: not in the money ledger");
            }
            else if (recorded.AmountMinor != dispute.AmountMinor || recorded.Currency != dispute.Currency || recorded.DisputeState != expected)
            {
                Violation(subject, $"the gateway says {dispute.Status} {dispute.AmountMinor} {dispute.Currency}, the ledger says {recorded.State} {recorded.AmountMinor} {recorded.Currency}");
            }
        }
        foreach (var recorded in disputes.Where(m => !facts.Snapshot.GatewayDisputes.Any(d => d.PaymentId == m.PaymentId && d.DisputeId == m.Key)))
        {
            Violation($"dispute {recorded.Key} (order {recorded.OrderId})", $"the ledger says {recorded.State}; the gateway has no such dispute");
        }
        return new InvariantVerdict(LedgerAgreesWithGateway,
            "The money ledger and the gateway agree on every refund's and every dispute's amount, currency and state.",
            facts.Snapshot.GatewayRefunds.Count + facts.Snapshot.GatewayDisputes.Count, findings);

        // The gateway knows a refund by its id and by the key it was created under (Alipay's out_request_no, WeChat Pay's out_refund_no).
        static bool Names(MoneyMovement m, RefundSnapshot r) =>
            m.GatewayRefundId == r.RefundId || r.IdempotencyKey == m.Key || (m.GatewayRefundId is { } id && r.IdempotencyKey == "alipay:" + id);
    }

    /// <summary>A refunded completed order's points are reversed in proportion: all of them once it is refunded in full.</summary>
    private static InvariantVerdict CheckPointsReversed(Facts facts)
    {
        var findings = new List<Finding>();
        var reversedOrders = facts.Snapshot.Orders.Where(o => facts.ReversedBy(o) is not null).ToList();
        foreach (var order in reversedOrders)
        {
            var granted = facts.Snapshot.Grants.Where(g => g.OrderId == order.OrderId).Sum(g => g.Points);
            var taken = facts.Snapshot.Reversals.Where(r => r.OrderId == order.OrderId).Sum(r => r.Points);
            var share = order.PaidAmountMinor is > 0 ? (decimal)facts.ReversedBy(order)!.Value / order.PaidAmountMinor.Value : 1m;
            var due = (long)Math.Ceiling(granted * Math.Min(share, 1m));
            if (taken != due)
            {
                findings.Add(new(PointsReversed, Severity.Violation, $"order {order.OrderId}",
                    $"{order.Status}: {granted} points granted, {taken} reversed, {due} due for {share:P0} refunded"));
            }
        }
        return new InvariantVerdict(PointsReversed,
            "Every order refunded (or charged back) after its completion has its points reversed in proportion to what went back.", reversedOrders.Count, findings);
    }

    /// <summary>Lookups over one snapshot, built once.</summary>
    private sealed class Facts(LedgerSnapshot snapshot)
    {
        private readonly Dictionary<string, OrderRecord> orders = snapshot.Orders.GroupBy(o => o.OrderId).ToDictionary(g => g.Key, g => g.First());
        private readonly Dictionary<string, PaymentSnapshot> payments = snapshot.GatewayPayments.GroupBy(p => p.PaymentId).ToDictionary(g => g.Key, g => g.First());
        private readonly ILookup<string, Gateway.StatementLine> refunds = snapshot.Statement.Where(l => l.Type == "refund").ToLookup(l => l.PaymentId);
        private readonly ILookup<string, StockReservation> reservations = snapshot.Reservations.ToLookup(r => r.Sku);
        private readonly Dictionary<string, OrchestrationRecord> orchestrations = snapshot.Orchestrations.GroupBy(o => o.InstanceId).ToDictionary(g => g.Key, g => g.First());
        private readonly HashSet<(string Kind, string OrderId)> parked = snapshot.Parked.Select(p => (p.Kind, p.OrderId)).ToHashSet();

        public LedgerSnapshot Snapshot => snapshot;

        public OrderRecord? Order(string orderId) => orders.GetValueOrDefault(orderId);

        public PaymentSnapshot? Payment(string paymentId) => payments.GetValueOrDefault(paymentId);

        /// <summary>The payment's refunds as settled by the gateway.</summary>
        public IReadOnlyList<Gateway.StatementLine> RefundsOf(string paymentId)
        {
            var lines = refunds[paymentId].ToArray();
            // A refund the gateway's payment record shows but no statement line does still counts (a statement day not loaded).
            return lines.Length == 0 && Payment(paymentId) is { RefundedMinor: > 0 } p
                ? [new Gateway.StatementLine(p.PaymentId, p.OrderId, "refund", p.RefundedMinor, p.Currency, default)]
                : lines;
        }

        public IEnumerable<StockReservation> ReservationsOf(string sku) => reservations[sku];

        /// <summary>The payment's disputes at the gateway, and those the customer won (the money went back to them).</summary>
        public IEnumerable<DisputeSnapshot> DisputesOf(string paymentId) => snapshot.GatewayDisputes.Where(d => d.PaymentId == paymentId);

        public IEnumerable<DisputeSnapshot> LostDisputesOf(string paymentId) => DisputesOf(paymentId).Where(d => d.Status == "lost");

        public OrchestrationRecord? Orchestration(string instanceId) => orchestrations.GetValueOrDefault(instanceId);

        public bool IsParked(string kind, string orderId) => parked.Contains((kind, orderId));

        /// <summary>Reversed after its completion: by money that went back, or by a dispute the merchant won back later (parked).</summary>
        public bool ReversedAfterSale(OrderRecord order) => ReversedBy(order) is not null || IsParked(ParkedKinds.DisputeWonAfterReversal, order.OrderId);

        /// <summary>
        /// For an order reversed after its completion (after-sales, at the gateway, a dispute lost): how much
        /// of its own payment the money ledger says went back. Null for an order no reversal touched.
        /// </summary>
        public long? ReversedBy(OrderRecord order) =>
            order.Status is OrderStatus.PartiallyRefunded or OrderStatus.Refunded
            && snapshot.Money.Any(m => m.PaymentId == order.PaymentId && (m.DisputeState == DisputeState.Lost
                || (m.RefundState == RefundState.Succeeded && (m.RequestKey is not null || m.Initiator == MoneyInitiators.Gateway))))
                ? snapshot.Money.Where(m => m.PaymentId == order.PaymentId && m.TookBack).Sum(m => m.AmountMinor)
                : null;
    }
}
