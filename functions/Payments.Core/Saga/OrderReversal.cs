using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Ledger;

namespace Payments.Saga;

/// <summary>
/// The named reversal of a completed order, shared by everything that takes its money back after the
/// sale (an after-sales refund, a refund made at the gateway, a dispute lost): the order becomes Refunded
/// once what went back covers the capture, PartiallyRefunded before, and the customer's points are
/// reversed by the share taken back so far, as a reversal row whose cause names the movement; refunded
/// in full, its stock goes back on the shelf when <see cref="SagaOptions.RestockOnFullRefund"/> says so.
/// </summary>
public sealed class OrderReversal(MoneyLedger money, OrderBook orders, PointsLedger points, StockLedger stock, IOptions<SagaOptions> options, ILogger<OrderReversal> log)
{
    /// <summary>
    /// Reverses the order <paramref name="cause"/> took money back from, with <paramref name="reason"/> on the
    /// order; false when it is not a settled order's own payment (the saga or its compensation decides that order).
    /// </summary>
    public async Task<bool> ReverseAsync(MoneyMovement cause, string reason, CancellationToken ct = default)
    {
        if (await orders.GetAsync(cause.OrderId, ct) is not { PaidAmountMinor: > 0 } order || order.PaymentId != cause.PaymentId
            || order.Status is not (OrderStatus.Completed or OrderStatus.PartiallyRefunded or OrderStatus.Refunded))
        {
            return false;
        }
        var captured = order.PaidAmountMinor!.Value;
        var takenBack = (await money.ListAsync(cause.OrderId, ct)).Where(m => m.PaymentId == order.PaymentId && m.TookBack).Sum(m => m.AmountMinor);
        var status = takenBack >= captured ? OrderStatus.Refunded : OrderStatus.PartiallyRefunded;
        // The points first: whoever reads the order reversed finds its points reversed already.
        var reversed = await points.ReverseAsync(order.CustomerId, order.OrderId, ReversalKey(cause), $"{cause.Initiator}:{cause.Reason}", (decimal)takenBack / captured, ct);
        if (reversed is { Points: > 0, AlreadyReversed: false })
        {
            await money.Watch.PointsMovedAsync(order.CustomerId, ct); // the money monitor checks this customer's balance next run
        }
        if (status == OrderStatus.Refunded && options.Value.RestockOnFullRefund)
        {
            // Before the order reads Refunded, as the points are: whoever sees it refunded sees the stock back.
            await stock.ReturnAsync(new StockRequest(order.OrderId, order.Lines), ct);
        }
        await orders.ApplyAsync(new OrderStateChange(order.OrderId, status, reason, "Reversed", Cause: OrderChangeCause.Reversal), ct);
        log.OrderReversed(order.OrderId, status, takenBack, captured, reversed.Points);
        SagaMetrics.PointsReversed.Add(reversed.AlreadyReversed ? 0 : reversed.Points);
        return true;
    }

    /// <summary>The points ledger's key of the reversal: a refund's key as before; a dispute's id, marked so it meets no refund key.</summary>
    private static string ReversalKey(MoneyMovement cause) => cause.Kind == MoneyKinds.Dispute ? $"dispute-{cause.Key}" : cause.Key;
}
