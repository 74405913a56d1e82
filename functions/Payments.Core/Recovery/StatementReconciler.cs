using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Daily settlement reconciliation: streams the gateway's statement line by line (memory stays flat
/// however long it is), compares each line with the ledger, heals what can be healed and parks the
/// rest. A discrepancy is acted on once: its report row is written after the action, and a later
/// run that finds the row does nothing again.
/// </summary>
/// <remarks>
/// The online paths (dispatch's second look at raised successes, its refund of another payment's
/// capture, the reconciler's crashed-saga sweep) settle every capture within minutes; this is the
/// net under them, for a callback that never arrived and a query that never ran.
/// </remarks>
public sealed class StatementReconciler(
    IPaymentGateway gateway,
    OrderBook orders,
    PaymentDispatch dispatch,
    ReconciliationStore reports,
    ParkedItems parked,
    TimeProvider clock,
    ILogger<StatementReconciler> log)
{
    public async Task<StatementReport> ReconcileAsync(DateOnly date, DurableTaskClient durable, CancellationToken ct = default)
    {
        long lines = 0;
        var found = 0;
        await foreach (var line in gateway.GetStatementAsync(date, ct))
        {
            lines++;
            var order = await orders.GetAsync(line.OrderId, ct);
            if (Classify(line, order) is not { } kind || await reports.ExistsAsync(date, kind, line.PaymentId, ct)
                || (kind is DiscrepancyClass.PaidButCancelled or DiscrepancyClass.OtherPaymentCaptured && await AlreadyRefundingAsync(line.PaymentId, durable, ct)))
            {
                continue;
            }
            var action = await ActAsync(kind, line, order, durable, ct);
            await reports.AddAsync(new Discrepancy(date, kind, line.PaymentId, line.OrderId, line.AmountMinor, line.Currency, action, Describe(kind, line, order)), ct);
            PipelineMetrics.ReconciliationDiscrepancies.Add(1, new KeyValuePair<string, object?>("class", kind.ToString()));
            found++;
        }
        var all = await reports.ListAsync(date, ct);
        await reports.SaveSummaryAsync(date, lines, all.Count, clock.GetUtcNow(), ct);
        log.StatementReconciled(date, lines, found, all.Count);
        return new StatementReport(date, lines, found, all);
    }

    /// <summary>A late payment the pipeline already refunds (its webhook did arrive) is no discrepancy.</summary>
    private static async Task<bool> AlreadyRefundingAsync(string paymentId, DurableTaskClient durable, CancellationToken ct) =>
        await durable.GetInstanceAsync(LatePaymentRefund.InstanceId(paymentId), ct) is not null;

    public static DiscrepancyClass? Classify(StatementLine line, OrderRecord? order) => (line.Type, order) switch
    {
        ("capture", null) => DiscrepancyClass.UnknownLocally,
        // Before any status: a capture under another payment id is never the order's settlement, whatever the order's state.
        ("capture", { } o) when o.PaymentId != line.PaymentId => DiscrepancyClass.OtherPaymentCaptured,
        ("capture", { Status: OrderStatus.AwaitingPayment }) => DiscrepancyClass.PaidButUnknown,
        ("capture", { Status: OrderStatus.Cancelled }) => DiscrepancyClass.PaidButCancelled,
        ("capture", { Status: OrderStatus.Paid or OrderStatus.Completed } o)
            when o.PaidAmountMinor != line.AmountMinor || o.Currency != line.Currency => DiscrepancyClass.AmountMismatch,
        ("refund", { } o) when o.PaymentId != line.PaymentId => null, // the refund of a second capture: the pipeline's own doing
        ("refund", { Status: OrderStatus.Paid or OrderStatus.Completed }) => DiscrepancyClass.RefundedAtGatewayOnly,
        _ => null,
    };

    private async Task<string> ActAsync(DiscrepancyClass kind, StatementLine line, OrderRecord? order, DurableTaskClient durable, CancellationToken ct)
    {
        switch (kind)
        {
            case DiscrepancyClass.PaidButUnknown or DiscrepancyClass.PaidButCancelled or DiscrepancyClass.OtherPaymentCaptured:
                // The same path a late webhook takes: a running saga gets the payment, a cancelled order
                // (or a payment that is not the order's own) a refund keyed by that payment id.
                var recovered = PaymentEvent.Recovered("statement", order!.Provider, line.PaymentId, line.OrderId, line.AmountMinor, line.Currency, line.OccurredAt);
                var result = await dispatch.ApplyAsync(durable, recovered, ct);
                PipelineMetrics.CallbacksRecovered.Add(1, new KeyValuePair<string, object?>("path", "statement"));
                return result switch
                {
                    DispatchResult.Raised => "payment_applied",
                    DispatchResult.LatePaymentRefund => "refund_started",
                    _ => "no_effect",
                };
            default:
                await parked.ParkAsync(new ParkRequest(line.OrderId, "reconciliation_" + kind, $"Statement {line.OccurredAt:yyyy-MM-dd}: {kind}", Describe(kind, line, order)), ct);
                return "parked";
        }
    }

    private static string Describe(DiscrepancyClass kind, StatementLine line, OrderRecord? order) =>
        $"{kind}: gateway {line.Type} {line.AmountMinor} {line.Currency} for payment {line.PaymentId}; ledger "
        + (order is null ? "has no such order" : $"says {order.Status}, paid {order.PaidAmountMinor?.ToString() ?? "nothing"} {order.Currency}");
}
