using Microsoft.DurableTask;
using Payments.Contracts;
using Payments.Gateway;

namespace Payments.Saga;

/// <summary>
/// The saga's steps as named activity calls with their retry policies, so <see cref="OrderSaga"/>
/// reads like the saga diagram. Lives only inside one orchestration execution.
/// </summary>
internal sealed class SagaSteps(TaskOrchestrationContext context, OrderSagaInput input)
{
    private readonly OrderRequest order = input.Order;
    private readonly SagaSettings settings = input.Settings;

    private TaskOptions StepRetry => settings.StepRetry();

    private TaskOptions PointsBackoff => settings.PointsRetry();

    /// <summary>
    /// Saga 4.0: the reservation, the commit and the records ride out a storage outage (minutes, bounded)
    /// rather than the steps' 2 + 4 + 8 s; older sagas keep the policy their history was written with.
    /// </summary>
    private bool RidesOutOutages => SagaVersions.Runs(context, SagaVersions.OutageRetries);

    private TaskOptions OutageRetry => RidesOutOutages ? settings.OutageRetry() : StepRetry;

    private StockRequest Stock => new(order.OrderId, order.Lines);

    private PaymentRef Payment => new(order.OrderId, order.Provider, order.PaymentId);

    public void Show(string step) => context.SetCustomStatus(step);

    /// <summary>The read model lagging is no reason to fail a saga: a record that cannot be written is parked.</summary>
    public async Task RecordAsync(OrderStatus status, string? reason, string step, long? paidAmount = null, string? paidCurrency = null)
    {
        try
        {
            await context.CallActivityAsync(
                SagaActivityNames.RecordOrderState,
                paidAmount is null
                    ? new OrderStateChange(order.OrderId, status, reason, step)
                    : new OrderStateChange(order.OrderId, status, reason, step, paidAmount, paidCurrency, order.Provider, order.PaymentId),
                OutageRetry);
        }
        catch (TaskFailedException ex)
        {
            await ParkAsync(ParkedKinds.RecordFailed, $"The orders read model could not record {status} ({step}).", ex.Message);
        }
    }

    public async Task<ReserveResult> ReserveStockAsync()
    {
        try
        {
            return await context.CallActivityAsync<ReserveResult>(SagaActivityNames.ReserveStock, Stock, OutageRetry);
        }
        catch (TaskFailedException)
        {
            return ReserveResult.Unavailable;
        }
    }

    /// <summary>
    /// Saga 3.0: the reservation and its <c>StockReserved</c> record in one activity, tried once (no
    /// retry policy: a retry would wait out a back-off the separate steps need not). If it fails, the
    /// two are taken apart, each with its own retries and failure handling, as in 2.0.
    /// </summary>
    public async Task<ReserveResult> HoldStockAsync()
    {
        try
        {
            return await context.CallActivityAsync<ReserveResult>(SagaActivityNames.HoldStock, Stock with { OrderRowETag = input.RegisteredRowETag });
        }
        catch (TaskFailedException)
        {
            var reserved = await ReserveStockAsync();
            if (reserved == ReserveResult.Reserved)
            {
                await RecordAsync(OrderStatus.AwaitingPayment, null, "StockReserved");
            }
            return reserved;
        }
    }

    /// <summary>
    /// Saga 3.0: Paid, commit, <c>StockCommitted</c>, points and Completed in one activity, tried once.
    /// Null when it failed: the caller then takes the steps one by one with their own retry policies
    /// (a points grant that keeps failing must park, not refund, which only the separate steps can tell).
    /// </summary>
    public async Task<CommitResult?> SettlePaidOrderAsync(PaymentEvent payment)
    {
        var paid = new PaidOrder(Stock, PointsFor(), payment.AmountMinor, payment.Currency, order.Provider, order.PaymentId);
        try
        {
            return await context.CallActivityAsync<CommitResult>(SagaActivityNames.SettlePaidOrder, paid);
        }
        catch (TaskFailedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The ledger's answer; or, from saga 4.0, null when it could not be reached for the whole outage
    /// bound: no answer is no reason to refund a customer who paid. Before 4.0, exhausted retries count
    /// as a permanent stock failure (and refund), as those sagas' histories recorded.
    /// </summary>
    public async Task<CommitResult?> CommitStockAsync()
    {
        try
        {
            return await context.CallActivityAsync<CommitResult>(SagaActivityNames.CommitStock, Stock, OutageRetry);
        }
        catch (TaskFailedException)
        {
            return RidesOutOutages ? null : CommitResult.Failed;
        }
    }

    /// <summary>
    /// Saga 4.0: a captured payment whose commit never got an answer. Parked for an operator (commit
    /// and complete, or refund) and the order left Paid: the customer's money is not sent back because
    /// storage was down. If even the park fails, the saga fails and the crashed-saga sweep decides.
    /// </summary>
    public async Task<SagaOutcome> ParkUncommittedAsync(PaymentEvent payment)
    {
        const string reason = "stock_commit_parked";
        await ParkAsync(ParkedKinds.CommitFailed,
            $"Paid {payment.AmountMinor} {payment.Currency}, but the stock ledger could not be reached to commit the order's stock for its whole storage-outage bound ({settings.StorageOutage:c}); the order stays Paid, not refunded: commit it and complete the order, or refund it.",
            $"payment {payment.PaymentId}");
        await RecordAsync(OrderStatus.Paid, reason, "CommitParked");
        Show("CommitParked");
        return new SagaOutcome(OrderStatus.Paid, reason);
    }

    /// <summary>Stock left reserved is an operator's fix, not a reason to leave the order without a terminal state.</summary>
    public async Task ReleaseStockAsync()
    {
        try
        {
            await context.CallActivityAsync(SagaActivityNames.ReleaseStock, Stock, StepRetry);
        }
        catch (TaskFailedException ex)
        {
            await ParkAsync(ParkedKinds.ReleaseFailed, "Reserved stock could not be released.", ex.Message);
        }
    }

    public async Task<GatewayPayment?> QueryPaymentAsync()
    {
        try
        {
            return await context.CallActivityAsync<GatewayPayment>(SagaActivityNames.QueryPayment, Payment, StepRetry);
        }
        catch (TaskFailedException)
        {
            return null; // Unknown; closing the payment settles it either way.
        }
    }

    /// <summary>Null when the gateway could not be reached at all; the order is then cancelled and parked for a look.</summary>
    public async Task<CloseResult?> ClosePaymentAsync()
    {
        try
        {
            return await context.CallActivityAsync<CloseResult>(SagaActivityNames.ClosePayment, Payment, StepRetry);
        }
        catch (TaskFailedException ex)
        {
            await ParkAsync(ParkedKinds.CloseFailed, "Could not close the payment; a late payment will be refunded on arrival.", ex.Message);
            return null;
        }
    }

    public PaymentEvent PaymentFromGateway(long amountMinor, string currency) => PaymentEvent.Recovered(
        "gateway-query", order.Provider, order.PaymentId, order.OrderId, amountMinor, currency, new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero));

    public async Task<SagaOutcome> RefundAndFinishAsync(long amountMinor, string currency, string reason, bool releaseStock)
    {
        Show("Refunding");
        if (releaseStock)
        {
            await ReleaseStockAsync();
        }
        var refund = new RefundRequest(order.OrderId, order.Provider, order.PaymentId, amountMinor, currency, reason);
        try
        {
            await context.CallActivityAsync<RefundResult>(SagaActivityNames.Refund, refund, StepRetry);
        }
        catch (TaskFailedException ex)
        {
            // Keyed like a refund orchestration of this payment (refund-{paymentId}), not by the order, so a
            // failed refund of a second capture of the same order is a second item, not a replacement.
            await ParkAsync(ParkedKinds.RefundFailed, $"Refund of {amountMinor} {currency} ({reason}) failed after {settings.ActivityMaxAttempts} attempts.", ex.Message,
                LatePaymentRefund.RetryAfter(refund, ex), LatePaymentRefund.InstanceId(order.PaymentId));
            return await FinishAsync(OrderStatus.RefundPending, reason);
        }
        return await FinishAsync(OrderStatus.Refunded, reason);
    }

    /// <summary>False when every attempt failed: the grant is then parked for an operator.</summary>
    public async Task<bool> GrantPointsAsync()
    {
        var points = PointsFor().Points;
        try
        {
            await context.CallActivityAsync(SagaActivityNames.GrantPoints, PointsFor(), PointsBackoff);
            return true;
        }
        catch (TaskFailedException ex)
        {
            await ParkAsync(ParkedKinds.PointsGrant, $"Granting {points} points to {order.CustomerId} failed {settings.PointsMaxAttempts} times.", ex.Message);
            return false;
        }
    }

    private PointsRequest PointsFor() => PointsRequest.For(order, settings.PointsPerMajorUnit);

    public async Task<SagaOutcome> FinishAsync(OrderStatus status, string? reason, bool pointsParked = false)
    {
        await RecordAsync(status, reason, status.ToString());
        Show(status.ToString());
        return new SagaOutcome(status, reason, pointsParked);
    }

    /// <summary>
    /// Parking is the saga's last word to an operator, so it gets the long (points) back-off. If even
    /// that runs out, the saga fails on purpose with <see cref="SagaParkFailedException"/>: the
    /// reconciler's crashed-saga sweep then finds it and settles its payment (refund) or parks it
    /// loudly, instead of the order ending quietly with nobody told.
    /// </summary>
    private async Task ParkAsync(string kind, string reason, string detail, RefundRequest? refund = null, string? key = null)
    {
        try
        {
            await context.CallActivityAsync(SagaActivityNames.Park, new ParkRequest(order.OrderId, kind, reason, detail, refund, key), PointsBackoff);
        }
        catch (TaskFailedException ex)
        {
            throw new SagaParkFailedException(order.OrderId, kind, ex);
        }
    }
}
