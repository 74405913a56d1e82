using Microsoft.DurableTask;
using Payments.Contracts;

namespace Payments.Saga;

/// <summary>
/// One order's saga: reserve stock, wait for payment or the payment window, commit stock, grant
/// points; each compensation sits beside the step it undoes. Deterministic: time comes from the
/// context, all I/O happens in activities. Versioned (<see cref="SagaVersions"/>): a step added or
/// changed since a saga started is gated on the version it was stamped with, so its replay matches
/// its history.
/// </summary>
public static class OrderSaga
{
    public const string Name = nameof(OrderSaga);

    public static string InstanceId(string orderId) => $"order-{orderId}";

    /// <summary>
    /// The saga's orchestrators for a Durable Task worker that runs them directly (the in-memory
    /// engine of the fast saga tests). Registered here, in the project that declares them, so the
    /// Durable analyzers follow every call the orchestrators make.
    /// </summary>
    public static DurableTaskRegistry AddOrchestrators(DurableTaskRegistry registry)
    {
        AddOrderSaga(registry);
        AddLatePaymentRefund(registry);
        return registry;
    }

    // One lambda per method: the analyzers (1.28.0) crash on a method group declared in another
    // file, and follow only the first of several lambdas registered from one method.
    private static void AddOrderSaga(DurableTaskRegistry registry) =>
        registry.AddOrchestratorFunc<OrderSagaInput, SagaOutcome>(Name, (context, input) => RunAsync(context, input));

    private static void AddLatePaymentRefund(DurableTaskRegistry registry) =>
        registry.AddOrchestratorFunc<LatePaymentInput, SagaOutcome>(LatePaymentRefund.Name, (context, input) => LatePaymentRefund.RunAsync(context, input));

    public static async Task<SagaOutcome> RunAsync(TaskOrchestrationContext context, OrderSagaInput input)
    {
        var order = input.Order;
        var steps = new SagaSteps(context, input);

        // 3.0 folds the read-model milestones into the steps that reach them (the registration
        // already wrote "Registered"); older versions keep the steps they were started with.
        var folded = SagaVersions.Runs(context, SagaVersions.FoldedSteps);
        if (!folded)
        {
            await steps.RecordAsync(OrderStatus.AwaitingPayment, null, "Registered");
        }

        steps.Show("ReservingStock");
        var reserved = folded ? await steps.HoldStockAsync() : await steps.ReserveStockAsync();
        if (reserved != ReserveResult.Reserved)
        {
            // A reservation that failed part-way may hold some lines; releasing is idempotent per line.
            var reason = reserved == ReserveResult.OutOfStock ? "out_of_stock" : "stock_unavailable";
            if (reserved == ReserveResult.Unavailable)
            {
                await steps.ReleaseStockAsync();
            }
            var close = await steps.ClosePaymentAsync();
            return close is { AlreadyPaid: true }
                ? await steps.RefundAndFinishAsync(close.PaidAmountMinor, close.Currency, reason, releaseStock: false)
                : await steps.FinishAsync(OrderStatus.Cancelled, reason);
        }

        if (SagaVersions.Runs(context, SagaVersions.StockMilestones) && !folded)
        {
            await steps.RecordAsync(OrderStatus.AwaitingPayment, null, "StockReserved");
        }

        steps.Show("AwaitingPayment");
        var paymentWindow = context.CurrentUtcDateTime.Add(input.Settings.PaymentWindow);
        var (paid, declined, closed) = await AwaitPaymentAsync(context, order, paymentWindow);
        // A decline is not final (Stripe, WeChat PAYERROR, Alipay: the customer may retry the same
        // payment), so it only colours the cancel reason. Whatever was seen, the window's end asks the
        // gateway and closes the payment before cancelling: no success can land after the cancel unnoticed.
        var payment = paid ?? await ResolveTimeoutAsync(steps);
        if (payment is null)
        {
            await steps.ReleaseStockAsync();
            return await steps.FinishAsync(OrderStatus.Cancelled, declined ? "payment_failed" : closed ? "payment_closed" : "timeout");
        }
        if (payment.AmountMinor != order.AmountMinor || payment.Currency != order.Currency)
        {
            return await steps.RefundAndFinishAsync(payment.AmountMinor, payment.Currency, "amount_mismatch", releaseStock: true);
        }
        if (folded)
        {
            // One activity for everything from Paid to Completed; if it fails, the steps below are
            // taken one by one (each idempotent by (order, step), so what it did is not done twice).
            steps.Show("SettlingOrder");
            switch (await steps.SettlePaidOrderAsync(payment))
            {
                case CommitResult.Committed:
                    steps.Show(nameof(OrderStatus.Completed));
                    return new SagaOutcome(OrderStatus.Completed, null);
                case CommitResult.Failed:
                    return await steps.RefundAndFinishAsync(payment.AmountMinor, payment.Currency, "stock_failed", releaseStock: true);
            }
        }
        await steps.RecordAsync(OrderStatus.Paid, null, "Paid", payment.AmountMinor, payment.Currency);

        steps.Show("CommittingStock");
        switch (await steps.CommitStockAsync())
        {
            // The ledger's answer that the commit cannot happen: the one stock failure that refunds.
            case CommitResult.Failed:
                return await steps.RefundAndFinishAsync(payment.AmountMinor, payment.Currency, "stock_failed", releaseStock: true);
            // No answer for the whole outage bound (4.0; older sagas never get here): parked, not refunded.
            case null:
                return await steps.ParkUncommittedAsync(payment);
        }
        if (SagaVersions.Runs(context, SagaVersions.StockMilestones))
        {
            await steps.RecordAsync(OrderStatus.Paid, null, "StockCommitted");
        }

        // Points never undo a payment: when every attempt fails the grant is parked and the order still completes.
        steps.Show("GrantingPoints");
        var pointsGranted = await steps.GrantPointsAsync();
        return await steps.FinishAsync(OrderStatus.Completed, pointsGranted ? null : "points_parked", pointsParked: !pointsGranted);
    }

    /// <summary>
    /// The first success for this order's payment, or null when the window closes first; and whether
    /// a decline was seen meanwhile (it does not end the wait: the customer may still pay); and whether the
    /// gateway announced the payment closed, which ends the wait early.
    /// </summary>
    private static async Task<(PaymentEvent? Paid, bool Declined, bool Closed)> AwaitPaymentAsync(TaskOrchestrationContext context, OrderRequest order, DateTime paymentWindow)
    {
        var declined = false;
        while (context.CurrentUtcDateTime < paymentWindow)
        {
            using var cancel = new CancellationTokenSource();
            var windowCloses = context.CreateTimer(paymentWindow, cancel.Token);
            var callback = context.WaitForExternalEvent<PaymentEvent>(PaymentEvent.SagaEventName, cancel.Token);
            var first = await Task.WhenAny(callback, windowCloses);
            cancel.Cancel(); // whichever lost is abandoned, so no stale waiter or timer outlives this round
            if (first == windowCloses)
            {
                return (null, declined, false);
            }
            var received = await callback;
            // Refund and dispute notices and events for some other payment do not decide this order (dispatch
            // refunds another payment's capture itself), nor does any event of another gateway than the
            // order's (dispatch parks those before raising; this holds if one is raised anyway); a decline
            // is noted, and the wait goes on.
            if (received.PaymentId != order.PaymentId || received.IsAfterPayment || !PaymentDispatch.BelongsTo(received, order))
            {
                continue;
            }
            if (received.Kind == PaymentEventKind.Failed)
            {
                declined = true;
                context.SetCustomStatus("PaymentDeclined");
                continue;
            }
            if (received.Kind == PaymentEventKind.Closed)
            {
                // Closed at the gateway (a canceled PaymentIntent): nothing can be paid on it, so the
                // wait ends now; the gateway is still asked, as at the window's end, before cancelling.
                return (null, declined, true);
            }
            return (received, declined, false);
        }
        return (null, declined, false);
    }

    /// <summary>
    /// The window closed without a callback: ask the gateway. Closing the payment is what makes
    /// "unpaid" final; a payment that slipped in before the close comes back as already paid.
    /// </summary>
    private static async Task<PaymentEvent?> ResolveTimeoutAsync(SagaSteps steps)
    {
        steps.Show("QueryingPayment");
        var status = await steps.QueryPaymentAsync();
        if (status is { State: Gateway.GatewayPaymentState.Paid })
        {
            return steps.PaymentFromGateway(status.PaidAmountMinor, status.Currency);
        }
        steps.Show("ClosingPayment");
        var close = await steps.ClosePaymentAsync();
        return close is { AlreadyPaid: true } ? steps.PaymentFromGateway(close.PaidAmountMinor, close.Currency) : null;
    }
}
