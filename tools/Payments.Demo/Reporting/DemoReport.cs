using System.Globalization;
using Payments.Contracts;
using Payments.Demo.Driving;
using Payments.Demo.Invariants;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Demo.Reporting;

/// <summary>Writes the final report: terminal states, duplicates, recoveries, refunds, latency, invariant verdicts.</summary>
public static class DemoReport
{
    private const int MaxFindingsShown = 12;

    public static void Write(TextWriter output, RunSummary run)
    {
        var snapshot = run.Snapshot;
        var w = output;
        w.WriteLine();
        w.WriteLine("==================== Payments pipeline: run report ====================");
        w.WriteLine($"{run.Plans.Count} orders, quiet after {run.Elapsed.TotalSeconds:F0} s" + (run.QuiescenceFailure is null ? "" : "  (DID NOT GO QUIET)"));
        w.WriteLine("Customers: " + string.Join(", ", run.Plans.GroupBy(p => p.Behaviour).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));
        w.WriteLine($"  gateway: {run.Driver.Paid} paid, {run.Driver.PaidWrongAmount} paid a wrong amount, {run.Driver.Failed} failed; "
            + $"{run.Driver.PaymentsRefusedByGateway} payment attempts refused (payment already closed by the saga); "
            + $"{run.Driver.SecondCaptures} second captures for one order");
        w.WriteLine($"  operator: {run.Driver.SagasTerminatedAfterPaid} sagas terminated after Paid ({run.Driver.TerminationsMissed} ended before the operator got to them)");
        w.WriteLine($"  after the sale: {run.Driver.AfterSalesRefunds} orders refunded by customer service (two partial refunds each), "
            + $"{run.Driver.DashboardRefunds} refunded in part in the gateway's dashboard ({run.Driver.RefundsMissed} never completed); "
            + $"{run.Driver.RefundsFailedAfterAcceptance} refunds the gateway accepted and then failed; "
            + $"disputes: {run.Driver.DisputesLost} lost, {run.Driver.DisputesWon} won ({run.Driver.DisputesSkipped} on gateways without disputes, or never completed)");
        w.WriteLine($"  operator: {run.Driver.SagasTerminatedBeforePayment} sagas terminated while awaiting their payment (a crash before the payment is decided)");

        w.WriteLine();
        w.WriteLine("Orders by terminal state");
        foreach (var group in snapshot.Orders.GroupBy(o => o.Status).OrderBy(g => g.Key))
        {
            var reasons = group.Where(o => o.Reason is not null).GroupBy(o => o.Reason!).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
            w.WriteLine($"  {group.Key,-15} {group.Count(),5}   {string.Join(", ", reasons)}");
        }
        var lateRefunds = snapshot.Orders.Count(o => o.Status == OrderStatus.Cancelled && IsRefunded(snapshot, o.PaymentId));
        w.WriteLine($"  of the Cancelled, paid afterwards and refunded (late payment): {lateRefunds}");

        // Each gateway's orders went through its own connector (the simulator's API, Stripe.net for stripe, ...).
        w.WriteLine();
        w.WriteLine("Orders by gateway");
        foreach (var gateway in snapshot.Orders.GroupBy(o => o.Provider).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var payments = gateway.Select(o => o.PaymentId).ToHashSet(StringComparer.Ordinal);
            var gatewayRefunds = snapshot.Statement.Where(l => l.Type == "refund" && payments.Contains(l.PaymentId)).ToArray();
            w.WriteLine($"  {gateway.Key}: {gateway.Count()} orders; refunds at the gateway {gatewayRefunds.Length} "
                + $"({gatewayRefunds.GroupBy(l => l.PaymentId).Count(x => x.Count() > 1)} payments refunded more than once)");
            foreach (var group in gateway.GroupBy(o => o.Status).OrderBy(g => g.Key))
            {
                var reasons = group.Where(o => o.Reason is not null).GroupBy(o => o.Reason!).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
                w.WriteLine($"    {group.Key,-15} {group.Count(),5}   {string.Join(", ", reasons)}");
            }
        }

        w.WriteLine();
        w.WriteLine("Webhooks");
        var g = run.Gateway;
        var gatewayRows = snapshot.Inbox.Count;
        w.WriteLine($"  events {g.EventsCreated} (lost on purpose {g.EventsLost}); deliveries {g.DeliveriesAttempted} ({g.DeliveriesSucceeded} answered 2xx); "
            + $"duplicates sent {g.DuplicatesSent}; retries {g.Retries}; abandoned {g.DeliveriesAbandoned}");
        w.WriteLine($"  inbox rows {gatewayRows}: duplicates absorbed {Math.Max(0, g.DeliveriesSucceeded - gatewayRows)} (2xx deliveries - distinct events stored)");

        if (run.Faults is { } faults)
        {
            w.WriteLine();
            w.WriteLine($"Faults injected into the pipeline (seed {faults.Seed}): {string.Join(", ", faults.Counts.Select(c => $"{c.Kind} {c.Count}"))}");
        }

        w.WriteLine();
        w.WriteLine("Callbacks recovered, by path");
        var r = run.Recovery;
        var laneOnly = r.QueuedThenApplied - (r.RedrivenByDrain ?? 0) - r.RedrivenByOperator;
        w.WriteLine($"  outbox relay (stored, dispatch failed at intake)       {Show(r.OutboxRelayed)}");
        w.WriteLine($"  retry lane (callback outran its order)                 {Math.Max(0, laneOnly)}   (queued {r.QueuedOnLane}; dead-lettered after the lane's last attempt: {Show(r.LaneDeadLettered)})");
        w.WriteLine($"  dead letter re-driven by the drain (order exists now)  {Show(r.RedrivenByDrain)}");
        w.WriteLine($"  active query (webhook lost or slow)                    {Show(r.ActiveQuery)}   (gateway queries made: {Show(r.ActiveQueriesMade)})");
        var healed = run.FinalStatements.SelectMany(s => s.Discrepancies)
            .Where(d => d.Action is "refund_started" or "payment_applied")
            .ToArray();
        var alreadySettled = healed.Count(d => run.RefundedBeforeStatement.Contains(d.PaymentId));
        w.WriteLine($"  statement reconciliation                               {healed.Length - alreadySettled}   "
            + $"(meter: {Show(r.Statement)}" + (alreadySettled > 0 ? $"; {alreadySettled} were already refunded before it ran" : "") + ")");
        foreach (var statement in run.FinalStatements)
        {
            w.WriteLine($"    statement {statement.Date:yyyy-MM-dd}: {statement.Lines} lines, {statement.NewDiscrepancies} new discrepancies"
                + (statement.Discrepancies.Count == 0 ? "" : ": " + Summarize(statement.Discrepancies.Select(d => $"{d.Class} -> {d.Action}"))));
            foreach (var line in statement.Malformed ?? [])
            {
                w.WriteLine($"      malformed line {line.LineNumber} isolated (not fatal, reported): {line.Reason}");
            }
        }
        w.WriteLine($"  end of day, operator re-drive-all of parked dead letters: {Summarize(run.Redriven.Values)}"
            + (run.Redriven.Count == 0 ? "" : " (their orders had already settled by another path; re-drive only closes the letters)"));
        var retries = run.RefundRetries ?? new Dictionary<string, int>();
        w.WriteLine($"  end of day, operator retry of parked refunds: {retries.Count} tried, {retries.Values.Count(v => v == 202)} started");

        w.WriteLine();
        var refunds = snapshot.Statement.Where(l => l.Type == "refund").ToArray();
        w.WriteLine($"Refunds at the gateway: {refunds.Length}; "
            + $"{refunds.GroupBy(l => l.PaymentId).Count(x => x.Count() > 1)} payments refunded more than once. By path:");
        foreach (var (path, count) in RefundPaths(snapshot, refunds, run.RefundedBeforeStatement))
        {
            w.WriteLine($"  {path,-52} {count,4}");
        }

        var latencies = Latencies(snapshot);
        w.WriteLine($"Payment (gateway PaidAt) -> terminal state, n={latencies.Count}: {Percentiles(latencies)}");
        // What the pipeline itself answers for: from when it could act (the order exists and the payment is
        // captured), for payments it was told about (a second capture whose every webhook was lost is the statement's).
        var unseen = InvariantChecker.UnseenSecondCaptures(snapshot);
        var owned = latencies.Where(l => !unseen.Contains(l.PaymentId)).Select(l => l with { Latency = l.SinceOrderAndPayment }).OrderBy(l => l.Latency).ToArray();
        w.WriteLine($"  from the later of capture and registration, n={owned.Length} (a payment made before its order exists waits for the order service; "
            + $"{latencies.Count - owned.Length} never notified, settled by the statement, left out): {Percentiles(owned)}");
        w.WriteLine("  by what the customer did (from the later of capture and registration):");
        var behaviour = run.Plans.ToDictionary(p => p.Order.OrderId, p => p.Behaviour.ToString());
        WriteLatencyByBehaviour(w, behaviour, owned);
        WriteSlowest(w, behaviour, snapshot, owned);

        w.WriteLine();
        var money = run.Snapshot.Money.Where(m => m.Kind == MoneyKinds.Refund).ToArray();
        w.WriteLine($"Money ledger: {run.Snapshot.Money.Count(m => m.Kind == MoneyKinds.Capture)} captures, {money.Length} refunds by final state: "
            + string.Join(", ", money.GroupBy(m => m.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        w.WriteLine("  refunds by who started them: " + string.Join(", ", money.GroupBy(m => m.Initiator).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        w.WriteLine($"  answered pending and followed to their end: {money.Count(m => m.Observations.Any(o => o.State == nameof(RefundState.Pending)))}; "
            + $"points reversed: {run.Snapshot.Reversals.Sum(r => r.Points)} on {run.Snapshot.Reversals.Select(r => r.OrderId).Distinct().Count()} orders");
        var disputes = run.Snapshot.Money.Where(m => m.Kind == MoneyKinds.Dispute).ToArray();
        w.WriteLine($"  disputes: {disputes.Length} by state: " + string.Join(", ", disputes.GroupBy(m => m.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));

        WriteMoneyMonitor(w, run.MoneyMonitor);

        w.WriteLine();
        w.WriteLine("Invariants");
        foreach (var verdict in run.Verdicts.Verdicts)
        {
            w.WriteLine($"  {(verdict.Holds ? "HOLDS" : "BROKEN"),-6} {verdict.Invariant,-24} checked {verdict.Checked,4}"
                + (verdict.Violations > 0 ? $", {verdict.Violations} violations" : "")
                + (verdict.NeedsOperator > 0 ? $", {verdict.NeedsOperator} need an operator" : "")
                + $"  - {verdict.Statement}");
        }
        WriteFindings(w, "Violations", run.Verdicts.Violations);
        WriteFindings(w, "Needs operator (parked on purpose; not a violation)", run.Verdicts.NeedsOperator);
        WriteFindings(w, "Statement only (a payment id no notice of ever reached the pipeline; not a violation)",
            [.. run.Verdicts.Verdicts.SelectMany(v => v.Findings).Where(f => f.Severity == Severity.StatementOnly)]);
        w.WriteLine();
        w.WriteLine(run.Verdicts.AllHold && run.QuiescenceFailure is null
            ? "VERDICT: every invariant holds."
            : run.Verdicts.AllHold
                ? $"VERDICT: invariants hold on what was read, but the pipeline did not go quiet: {run.QuiescenceFailure}"
                : $"VERDICT: {run.Verdicts.Violations.Count} invariant violation(s).");
        w.WriteLine("========================================================================");
    }

    private static void WriteFindings(TextWriter w, string title, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }
        w.WriteLine($"  {title}: {findings.Count}");
        foreach (var finding in findings.Take(MaxFindingsShown))
        {
            w.WriteLine($"    - {finding}");
        }
        if (findings.Count > MaxFindingsShown)
        {
            w.WriteLine($"    … and {findings.Count - MaxFindingsShown} more");
        }
    }

    /// <summary>
    /// Which path refunded each payment: the order's own saga (by its reason), the payment's refund
    /// orchestration (by its reason: late payment, second capture, crashed saga), or, for a refund
    /// made only after the statement ran, the statement.
    /// </summary>
    private static IEnumerable<(string Path, int Count)> RefundPaths(LedgerSnapshot snapshot, IEnumerable<Gateway.StatementLine> refunds, IReadOnlySet<string> refundedBeforeStatement)
    {
        var orchestrations = snapshot.Orchestrations.ToDictionary(o => o.InstanceId);
        var orders = snapshot.Orders.GroupBy(o => o.PaymentId).ToDictionary(g => g.Key, g => g.First());
        return refunds
            .Select(l => !refundedBeforeStatement.Contains(l.PaymentId) && refundedBeforeStatement.Count > 0
                ? "statement reconciliation"
                : orchestrations.TryGetValue(LatePaymentRefund.InstanceId(l.PaymentId), out var refund) && refund.Outcome?.Reason is { } reason
                    ? reason switch
                    {
                        "late_payment" => "dispatch: late payment after a cancel",
                        "second_capture" => "dispatch: second capture for one order",
                        "saga_failed" => "reconciler: crashed saga after Paid",
                        _ => $"refund orchestration: {reason}",
                    }
                    : orders.TryGetValue(l.PaymentId, out var order)
                        ? order.Status is OrderStatus.PartiallyRefunded || snapshot.Money.Any(m => m.PaymentId == l.PaymentId && m.Kind == MoneyKinds.Refund && m.Initiator != MoneyInitiators.Pipeline)
                            ? $"after the sale: {order.Reason}"
                            : $"saga: {order.Reason ?? order.Status.ToString()}"
                        : "unknown order")
            .GroupBy(p => p)
            .OrderByDescending(g => g.Count())
            .Select(g => (g.Key, g.Count()));
    }

    private static bool IsRefunded(LedgerSnapshot snapshot, string paymentId) =>
        snapshot.Statement.Any(l => l.Type == "refund" && l.PaymentId == paymentId);

    /// <summary>
    /// From the gateway's capture to the order's terminal state: the read model's last update, or
    /// for a payment refunded after its order was cancelled, the end of the refund orchestration.
    /// Sorted by the time from capture.
    /// </summary>
    public static IReadOnlyList<PaymentLatency> Latencies(LedgerSnapshot snapshot)
    {
        var orders = snapshot.Orders.ToDictionary(o => o.OrderId);
        var orchestrations = snapshot.Orchestrations.ToDictionary(o => o.InstanceId);
        var latencies = new List<PaymentLatency>();
        foreach (var payment in snapshot.GatewayPayments.Where(p => p.PaidAt is not null))
        {
            if (!orders.TryGetValue(payment.OrderId, out var order) || !InvariantChecker.IsTerminal(order.Status))
            {
                continue;
            }
            var end = order.UpdatedAt;
            if (end < payment.PaidAt && orchestrations.TryGetValue(LatePaymentRefund.InstanceId(payment.PaymentId), out var refund))
            {
                end = refund.LastUpdatedAt;
            }
            if (end >= payment.PaidAt)
            {
                var since = payment.PaidAt.Value > order.RegisteredAt ? payment.PaidAt.Value : order.RegisteredAt;
                latencies.Add(new PaymentLatency(order.OrderId, payment.PaymentId, end - payment.PaidAt.Value, end - since));
            }
        }
        return [.. latencies.OrderBy(l => l.Latency)];
    }

    /// <summary>
    /// The same latencies by what the customer did: the tail is read per scenario, since some
    /// scenarios wait by design (a payment made before its order exists, a saga an operator terminates).
    /// </summary>
    private static void WriteLatencyByBehaviour(TextWriter w, IReadOnlyDictionary<string, string> behaviour, IReadOnlyList<PaymentLatency> latencies)
    {
        foreach (var group in latencies.GroupBy(l => behaviour.TryGetValue(l.OrderId, out var b) ? b : "(not in the plan)").OrderByDescending(g => g.Max(l => l.Latency)))
        {
            w.WriteLine($"    {group.Key,-28} n={group.Count(),-4} {Percentiles([.. group])}");
        }
    }

    /// <summary>The tail by name: the slowest payments, what their customer did, and whether the active query settled them.</summary>
    private static void WriteSlowest(TextWriter w, IReadOnlyDictionary<string, string> behaviour, LedgerSnapshot snapshot, IReadOnlyList<PaymentLatency> sorted)
    {
        var queried = snapshot.Orders.Where(o => o.RecoveryRaisedAt is not null).Select(o => o.OrderId).ToHashSet(StringComparer.Ordinal);
        var slowest = sorted.Reverse().Take(SlowestShown).Select(l =>
            $"{l.OrderId} {l.Latency.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s ({behaviour.GetValueOrDefault(l.OrderId, "?")}"
            + (queried.Contains(l.OrderId) ? ", active query" : "") + ")");
        w.WriteLine($"  slowest: {string.Join("; ", slowest)}");
    }

    private const int SlowestShown = 5;

    private static string Percentiles(IReadOnlyList<PaymentLatency> sorted) =>
        $"p50 {Percentile(sorted, 0.50)}  p95 {Percentile(sorted, 0.95)}  p99 {Percentile(sorted, 0.99)}  max {Percentile(sorted, 1.0)}";

    /// <summary>Nearest-rank percentile.</summary>
    public static string Percentile(IReadOnlyList<PaymentLatency> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return "n/a";
        }
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)].Latency.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
    }

    private static string Show(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "n/a (host in another process)";

    private static string Summarize(IEnumerable<string> values)
    {
        var groups = values.GroupBy(v => v).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}").ToArray();
        return groups.Length == 0 ? "none" : string.Join(", ", groups);
    }

    /// <summary>The production money monitor's run at the end of the demo (through its operator route): what an operator's console would list.</summary>
    private static void WriteMoneyMonitor(TextWriter w, MoneyMonitorReport? monitor)
    {
        w.WriteLine();
        if (monitor is null)
        {
            w.WriteLine("Money monitor: not run (the pipeline did not go quiet)");
            return;
        }
        w.WriteLine($"Money monitor (the production timer's rules, run once at the end): {monitor.Findings.Count} findings ("
            + string.Join(", ", monitor.FindingsByRule.Select(r => $"{r.Key} {r.Value}")) + $"); captures watched {monitor.CapturesWatched} "
            + $"({monitor.CapturesSettledSinceWatched} unlisted by the monitor itself), open refunds {monitor.OpenRefunds}, customers checked {monitor.CustomersChecked}");
        foreach (var finding in monitor.Findings.Take(10))
        {
            w.WriteLine($"  {finding.Rule} {finding.OrderId ?? finding.CustomerId}: {finding.Detail}");
        }
    }
}
