using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// The saga's side effects. Each is idempotent by (order, step), so Durable's at-least-once
/// activity execution and the retry policies never apply a step twice. Failures throw: an activity
/// that swallowed one would let the saga believe a failed step succeeded.
/// </summary>
public sealed class SagaActivities(
    IStockReservations stock,
    IPointsGrants points,
    OrderBook orders,
    MoneyLedger money,
    RefundFollowUp refunds,
    ParkedItems parked,
    IPaymentGateway gateway,
    ILogger<SagaActivities> log)
{
    public async Task RecordOrderStateAsync(OrderStateChange change)
    {
        await RecordOrderStateAsync(change, carried: null);
        if (change is { Status: OrderStatus.Paid, PaidAmountMinor: { } amount, PaidCurrency: { } currency, Provider: { } provider, PaymentId: { } paymentId })
        {
            await money.RecordCaptureAsync(change.OrderId, provider, paymentId, amount, currency, "saga");
        }
        else if (change.Status == OrderStatus.Refunded)
        {
            await refunds.ShowFailedRefundAsync(change.OrderId);
        }
    }

    private async Task<RecordResult> RecordOrderStateAsync(OrderStateChange change, OrderRowCarry? carried)
    {
        var result = await orders.ApplyAsync(change, carried);
        if (result == RecordResult.Stale)
        {
            log.StaleRecordRefused(change.OrderId, change.Status, change.Step);
        }
        return result;
    }

    public async Task<ReserveResult> ReserveStockAsync(StockRequest request)
    {
        var result = await stock.ReserveAsync(request);
        log.StockReserved(request.OrderId, result);
        return result;
    }

    public async Task<CommitResult> CommitStockAsync(StockRequest request)
    {
        var result = await stock.CommitAsync(request);
        if (result == CommitResult.Failed)
        {
            log.StockCommitFailed(request.OrderId);
        }
        return result;
    }

    public Task ReleaseStockAsync(StockRequest request) => stock.ReleaseAsync(request);

    /// <summary>
    /// Saga 3.0's first step: the reservation and its read-model milestone in one activity (one
    /// orchestration episode instead of three). Both halves are idempotent by (order, step), so a
    /// retried or repeated run converges; a failure throws and the saga takes the two steps apart.
    /// </summary>
    public async Task<ReserveResult> HoldStockAsync(StockRequest request)
    {
        var result = await ReserveStockAsync(request);
        if (result == ReserveResult.Reserved)
        {
            // Written on the registration's ETag when the saga was given it: no read of the row in the usual case.
            await RecordOrderStateAsync(new OrderStateChange(request.OrderId, OrderStatus.AwaitingPayment, null, "StockReserved"),
                orders.CarryRegistered(request.OrderId, request.OrderRowETag));
        }
        return result;
    }

    /// <summary>
    /// Saga 3.0's whole happy path after a matching payment, in one activity: Paid, the stock commit,
    /// <c>StockCommitted</c>, the points grant, Completed — the same calls, in the same order, as the
    /// separate steps of 2.0, each idempotent by (order, step). A permanent commit failure is an answer
    /// (<see cref="CommitResult.Failed"/>, nothing recorded past Paid); anything else that fails
    /// throws, and the saga then takes the steps one by one with their own retry policies.
    /// </summary>
    public async Task<CommitResult> SettlePaidOrderAsync(PaidOrder paid)
    {
        var orderId = paid.Stock.OrderId;
        // The order row is read once: each record after the first writes on the ETag the previous one returned.
        var row = orders.Carry(orderId);
        await RecordOrderStateAsync(new OrderStateChange(orderId, OrderStatus.Paid, null, "Paid", paid.PaidAmountMinor, paid.PaidCurrency), row);
        await RecordCaptureAsync(paid);
        var committed = await CommitStockAsync(paid.Stock);
        if (committed == CommitResult.Failed)
        {
            return committed;
        }
        await RecordOrderStateAsync(new OrderStateChange(orderId, OrderStatus.Paid, null, "StockCommitted"), row);
        await GrantAsync(paid.Points);
        var completed = await RecordOrderStateAsync(new OrderStateChange(orderId, OrderStatus.Completed, null, nameof(OrderStatus.Completed)), row);
        // The capture is settled and the customer's points moved: the money monitor's lists say so in one request.
        // A Completed refused (another path ended the order first) settles nothing: the monitor keeps watching.
        if (completed == RecordResult.Recorded)
        {
            await money.Watch.SettledByOrderAsync(orderId, paid.PaymentId, paid.Points.CustomerId);
        }
        else
        {
            await money.Watch.PointsMovedAsync(paid.Points.CustomerId);
        }
        return committed;
    }

    /// <summary>Saga 3.0's record of the capture it settles by, in the money ledger (idempotent).</summary>
    private Task RecordCaptureAsync(PaidOrder paid) => paid is { Provider: { } provider, PaymentId: { } paymentId }
        ? money.RecordCaptureAsync(paid.Stock.OrderId, provider, paymentId, paid.PaidAmountMinor, paid.PaidCurrency, "saga")
        : Task.CompletedTask;

    /// <summary>The points step of a saga that takes its steps one by one: the grant, and the customer on the money monitor's points list.</summary>
    public async Task GrantPointsAsync(PointsRequest request)
    {
        await GrantAsync(request);
        await money.Watch.PointsMovedAsync(request.CustomerId);
    }

    private async Task GrantAsync(PointsRequest request)
    {
        var result = await points.GrantAsync(request);
        log.PointsGranted(request.OrderId, result);
    }

    public Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment) => gateway.QueryPaymentAsync(payment);

    public Task<CloseResult> ClosePaymentAsync(PaymentRef payment) => gateway.ClosePaymentAsync(payment);

    /// <summary>
    /// The idempotency key is the payment (and the attempt, once the gateway refused it): whichever
    /// path asks, a payment is refunded at most once.
    /// </summary>
    /// <remarks>
    /// The money ledger gets the refund before the gateway is asked (so a crash after the gateway's
    /// acceptance still leaves a refund to follow) and the gateway's answer after: accepted is
    /// <see cref="RefundState.Pending"/> until the gateway says paid, and the refund tracker follows it
    /// there. A refund the pipeline decides by itself refunds a whole capture, so that capture is recorded too.
    /// </remarks>
    public async Task<RefundResult> RefundAsync(RefundRequest request)
    {
        var key = request.IdempotencyKey();
        if (request.RequestKey is null)
        {
            await money.RecordCaptureAsync(request.OrderId, request.Provider, request.PaymentId, request.AmountMinor, request.Currency, "refund");
        }
        await money.RequestRefundAsync(request, key, request.StartedBy);
        RefundResult result;
        try
        {
            result = await gateway.RefundAsync(request, key);
        }
        catch (GatewayRefusedException ex)
        {
            // Refused, so nothing to follow: the caller parks it with its retry.
            await money.ObserveRefundAsync(request.OrderId, key, RefundState.Failed, "answer", detail: ex.Message);
            throw;
        }
        await refunds.ObserveAsync(request.OrderId, key, result.State, "answer", result.RefundId);
        log.Refunded(request.OrderId, request.PaymentId, request.Reason);
        return result;
    }

    public async Task ParkAsync(ParkRequest request)
    {
        await parked.ParkAsync(request);
        log.Parked(request.Kind, request.OrderId, request.Reason);
    }
}
