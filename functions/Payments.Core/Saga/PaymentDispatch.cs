using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// Applies a payment event to its order's saga; shared by intake and every recovery path.
/// </summary>
/// <remarks>
/// Durable Task has no atomic "raise event or start": a saga can finish between our look and our
/// raise, and the event is then dropped with the instance. So a success raised to a running saga is
/// not taken as applied: its inbox row is marked <see cref="InboxState.Raised"/>, and once the saga
/// has ended the outbox relay looks again (<see cref="SettleRaisedAsync"/>). A saga that ended
/// without settling that payment (cancelled meanwhile) gets it refunded within minutes, by the same
/// late-payment refund a success arriving after the cancel gets. Every capture that is not the
/// order's own payment (a double submit, a second PaymentIntent) is refunded on arrival, whatever
/// the saga's state: the saga only ever settles <see cref="OrderRequest.PaymentId"/>.
/// </remarks>
public sealed class PaymentDispatch(
    IOptions<SagaOptions> sagaOptions,
    IOptions<LaneOptions> laneOptions,
    ParkedItems parked,
    InboxStore inbox,
    IMessageLane lane,
    LaneWaitingIndex waiting,
    OrderBook orders,
    RefundFollowUp refunds,
    DisputeFollowUp disputes,
    OpenOrchestrationIndex open,
    TimeProvider clock,
    ILogger<PaymentDispatch> log) : IStoredCallbackDispatch
{
    public const string LatePaymentReason = "late_payment";
    public const string SecondCaptureReason = "second_capture";

    /// <summary>
    /// Intake's and the outbox relay's dispatch of a stored callback: applied, or, when its order is
    /// unknown yet (the callback outran the order's registration), put on the retry lane with its
    /// inbox row marked queued and listed under its order id, so that the order's registration applies
    /// it at once. <see cref="DispatchResult.UnknownOrder"/> then means "on the lane".
    /// </summary>
    /// <remarks>
    /// The registration starts the saga, then reads the waiting list; this writes the waiting list,
    /// then looks for the saga once more. Each writes before it reads, so at least one of the two sees
    /// the other: a registration racing the deferral never leaves the callback to the back-off.
    /// </remarks>
    public async Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, CancellationToken ct = default)
    {
        var paymentEvent = stored.Event ?? throw new ArgumentException("A stored callback without a payment event has nothing to dispatch.", nameof(stored));
        if (stored.State == InboxState.Received && await TryRaiseToRunningSagaAsync(client, paymentEvent, ct) == OrderRowLook.RaisedToRunningSaga)
        {
            await inbox.MarkStoredAsync(stored, StateAfterRaise(paymentEvent.Kind), ct);
            return DispatchResult.Raised;
        }
        return await ApplyOrDeferAsync(client, stored, paymentEvent, ct);
    }

    /// <summary>
    /// Intake's dispatch of a callback it has just stored (still <see cref="InboxState.Received"/>) after
    /// <see cref="RaiseBeforeStoringAsync"/> found no running saga on the order's row: with no row at all,
    /// straight to the retry lane (no saga can have existed when the row was read: registration writes the
    /// row before it starts the saga, and the deferral's own look after listing the callback catches one
    /// started since); otherwise the full look at the instance, then the lane if the order is unknown.
    /// </summary>
    public async Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, OrderRowLook looked, CancellationToken ct = default)
    {
        var paymentEvent = stored.Event ?? throw new ArgumentException("A stored callback without a payment event has nothing to dispatch.", nameof(stored));
        if (looked == OrderRowLook.RaisedToRunningSaga)
        {
            throw new ArgumentException("A callback raised before it was stored has nothing left to dispatch.", nameof(looked));
        }
        return looked == OrderRowLook.NoOrderRow
            ? await DeferAsync(client, stored, paymentEvent, DispatchResult.UnknownOrder, ct)
            : await ApplyOrDeferAsync(client, stored, paymentEvent, ct);
    }

    /// <summary>
    /// Intake's first step for a verified callback, before it is stored: reads the order's row and, when
    /// it shows a running saga, raises the event to it, so the callback is then stored already in its
    /// final state (<see cref="StateAfterRaise"/>) and needs no mark after the raise: three requests
    /// (row read, raise, insert) instead of four. The caller stores the callback whatever this returns,
    /// and acknowledges only once it is stored.
    /// </summary>
    /// <remarks>
    /// Raising first is what keeps this safe: a stored row in a raised or dispatched state always has its
    /// raise behind it, so there is no window in which a stored callback waits on a raise that a crash
    /// would lose. A crash (or a failed insert) after the raise leaves the saga holding an event the inbox
    /// has not stored and the gateway has not had acknowledged: the gateway delivers it again, this path
    /// raises it again, and the saga takes it as the duplicate it is (it settles one success and notes a
    /// decline once, see <see cref="OrderSaga"/>). The price: a duplicate delivery of a running saga's
    /// callback is raised again before the inbox's insert turns it away (one control-queue message and one
    /// saga episode that changes nothing). The row's staleness is handled as on the relay's path
    /// (<see cref="TryRaiseToRunningSagaAsync"/>): a success is stored <see cref="InboxState.Raised"/> so
    /// the outbox relay's second look settles it if the saga ended meanwhile.
    /// </remarks>
    public Task<OrderRowLook> RaiseBeforeStoringAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default) =>
        TryRaiseToRunningSagaAsync(client, paymentEvent, ct);

    /// <summary>The state of a callback raised to a running saga: a success is not known to be settled until the saga ends.</summary>
    public static InboxState StateAfterRaise(PaymentEventKind kind) => kind == PaymentEventKind.Succeeded ? InboxState.Raised : InboxState.Dispatched;

    private async Task<DispatchResult> ApplyOrDeferAsync(DurableTaskClient client, InboxEntry stored, PaymentEvent paymentEvent, CancellationToken ct)
    {
        var result = await ApplyStoredAsync(client, paymentEvent, ct);
        return result == DispatchResult.UnknownOrder ? await DeferAsync(client, stored, paymentEvent, result, ct) : result;
    }

    /// <summary>Puts a stored callback whose order is unknown on the retry lane, lists it for the registration's nudge, and looks once more.</summary>
    private async Task<DispatchResult> DeferAsync(DurableTaskClient client, InboxEntry stored, PaymentEvent paymentEvent, DispatchResult result, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await lane.SendAsync(LaneMessage.For(paymentEvent, attempt: 1, queuedAt: now), laneOptions.Value.Backoff(1), ct);
        if (stored.State == InboxState.Received)
        {
            // No read: the row is as stored unless someone moved it, and then the mark falls back to reading it.
            await inbox.MarkStoredAsync(stored, InboxState.Queued, ct);
        }
        else
        {
            await inbox.MarkQueuedAsync(paymentEvent.Provider, paymentEvent.EventId, ct);
        }
        // Listed last: a deferral cut short before this leaves no entry behind for a callback that the
        // relay then applies; one cut short after it leaves a queued row, which its lane message settles.
        await waiting.AddAsync(paymentEvent.OrderId, paymentEvent.Provider, paymentEvent.EventId, now, ct);
        // No second wait for a Pending saga's start: the first look waited already, and a gateway waits on this.
        var second = await ApplyStoredAsync(client, paymentEvent, waitForStart: false, ct);
        if (second != DispatchResult.UnknownOrder)
        {
            await waiting.RemoveAsync(paymentEvent.OrderId, paymentEvent.Provider, paymentEvent.EventId, ct);
            return second;
        }
        return result;
    }

    /// <summary>
    /// The known-order fast path: when the order's row shows a saga that has started and not
    /// finished, the event is raised to it on the row's word, with no Durable status read (a point
    /// read of three columns instead of the engine's instance query, and no input to deserialize).
    /// Otherwise it says why not: no row at all, or a row that does not vouch for a running saga (a
    /// terminal status, a row its saga has not written yet, or a success for another payment, which is
    /// a second capture); then the full look at the instance decides, as before.
    /// </summary>
    /// <remarks>
    /// The row can be stale: it leads the engine on the way out (a saga writes its terminal status
    /// before its orchestration completes) but a saga that failed or was terminated never writes one,
    /// and a saga can end between this read and the raise. A raise to an ended instance is dropped by
    /// the engine. That is the race the look-then-raise of <see cref="ApplyAsync"/> already has, and it
    /// is closed the same way: a success is marked <see cref="InboxState.Raised"/>, not dispatched, so
    /// the outbox relay's second look (<see cref="SettleRaisedAsync"/>) applies it against the saga's
    /// outcome once it has ended: no effect if the saga settled it, a late-payment refund if it
    /// cancelled, parked beside the crashed-saga sweep if it failed. A decline or refund notice that an
    /// ended saga drops changes no money, as in that race. The row is never ahead of the saga's start:
    /// only a saga step marks it (<see cref="OrderProgress.SagaRecorded"/>), so a row whose saga has not
    /// started yet takes the full path and, its order unknown to the engine, the retry lane.
    /// </remarks>
    private async Task<OrderRowLook> TryRaiseToRunningSagaAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct)
    {
        var progress = await orders.GetProgressAsync(paymentEvent.OrderId, ct);
        if (progress is null)
        {
            return OrderRowLook.NoOrderRow;
        }
        // A refund or dispute notice is the money ledger's, not the saga's: it takes the full look.
        if (!progress.SagaRunning || paymentEvent.IsAfterPayment || !string.Equals(progress.Provider, paymentEvent.Provider, StringComparison.Ordinal)
            || (paymentEvent.Kind == PaymentEventKind.Succeeded && paymentEvent.PaymentId != progress.PaymentId))
        {
            return OrderRowLook.FullLookNeeded;
        }
        using var span = StartDispatchSpan(paymentEvent);
        await client.RaiseEventAsync(OrderSaga.InstanceId(paymentEvent.OrderId), PaymentEvent.SagaEventName, paymentEvent, ct);
        span?.SetTag(PipelineTrace.OutcomeTag, DispatchResult.Raised.ToString());
        return OrderRowLook.RaisedToRunningSaga;
    }

    /// <summary>
    /// How long the registration's nudge waits for the engine to process its saga's start before it
    /// leaves the waiting callbacks to their lane messages (a minute apart at most, note 31).
    /// </summary>
    public static readonly TimeSpan NudgeStartPatience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The registration's nudge: applies every callback that waits on the retry lane for this order
    /// (read from the waiting list, not the lane), so a callback that outran its order is applied as
    /// soon as the order exists. Its lane message still comes and then finds the row applied. Returns
    /// how many were applied.
    /// </summary>
    /// <remarks>
    /// The nudge runs right after the saga's start was scheduled, so it raises only once the engine
    /// reports the saga started (no longer Pending), waiting up to <see cref="NudgeStartPatience"/>:
    /// the Durable Azure Storage provider discards an event it dequeues for an instance whose start it
    /// has not processed ("No such instance"), and a success marked raised is not raised again by the
    /// lane. A saga that does not start in time leaves its callbacks listed and on the lane, which
    /// applies them at their next back-off. Only orders with waiting callbacks wait; the others'
    /// registrations read an empty list and return.
    /// </remarks>
    public async Task<int> ApplyWaitingAsync(DurableTaskClient client, string orderId, CancellationToken ct = default)
    {
        var listed = await waiting.ListAsync(orderId, ct);
        if (listed.Count == 0)
        {
            return 0;
        }
        if (!await SagaStartedAsync(client, orderId, ct))
        {
            log.WaitingCallbacksLeftToLane(orderId, listed.Count, NudgeStartPatience);
            return 0;
        }
        var applied = 0;
        foreach (var (provider, eventId) in listed)
        {
            var entry = await inbox.GetAsync(provider, eventId, ct);
            if (entry?.Event is { } paymentEvent && entry.State is not (InboxState.Dispatched or InboxState.Raised or InboxState.Discarded))
            {
                if (await ApplyStoredAsync(client, paymentEvent, ct) == DispatchResult.UnknownOrder)
                {
                    continue;
                }
                applied++;
            }
            await waiting.RemoveAsync(orderId, provider, eventId, ct);
        }
        return applied;
    }

    /// <summary>
    /// True once the engine has processed the order's saga start (any status but Pending); false when
    /// there is no saga (a repeated registration racing the first one's start) or its start takes
    /// longer than <see cref="NudgeStartPatience"/>.
    /// </summary>
    private async Task<bool> SagaStartedAsync(DurableTaskClient client, string orderId, CancellationToken ct)
    {
        var instance = await client.GetInstanceAsync(OrderSaga.InstanceId(orderId), ct);
        if (instance is null || instance.RuntimeStatus != OrchestrationRuntimeStatus.Pending)
        {
            return instance is not null;
        }
        return await WaitForStartAsync(client, instance.InstanceId, NudgeStartPatience, getInputsAndOutputs: false, ct) is not null;
    }

    /// <summary>
    /// How long a dispatch waits for a saga the engine reports Pending (scheduled, start not processed
    /// yet) before it leaves the event to the retry lane: short, as a gateway may be waiting on it.
    /// </summary>
    public static readonly TimeSpan PendingStartPatience = TimeSpan.FromSeconds(1);

    /// <summary>The instance once the engine has processed its start, or null if that takes longer than <paramref name="patience"/>.</summary>
    private async Task<OrchestrationMetadata?> WaitForStartAsync(DurableTaskClient client, string instanceId, TimeSpan patience, bool getInputsAndOutputs, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(patience, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            return await client.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Applies a callback stored in the inbox and marks its row: dispatched, or raised (a success
    /// handed to a running saga, not yet known to be settled), unless its order is unknown yet (then
    /// the row is left for the caller to queue or retry).
    /// </summary>
    public Task<DispatchResult> ApplyStoredAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default) =>
        ApplyStoredAsync(client, paymentEvent, waitForStart: true, ct);

    private async Task<DispatchResult> ApplyStoredAsync(DurableTaskClient client, PaymentEvent paymentEvent, bool waitForStart, CancellationToken ct)
    {
        var result = await ApplyAsync(client, paymentEvent, waitForStart, ct);
        if (result == DispatchResult.Raised && paymentEvent.Kind == PaymentEventKind.Succeeded)
        {
            await inbox.MarkRaisedAsync(paymentEvent.Provider, paymentEvent.EventId, ct);
        }
        else if (result != DispatchResult.UnknownOrder)
        {
            await inbox.MarkDispatchedAsync(paymentEvent.Provider, paymentEvent.EventId, ct);
        }
        return result;
    }

    /// <summary>
    /// The retry lane's apply of a callback it has just read from the inbox (not yet applied): as
    /// <see cref="ApplyStoredAsync(DurableTaskClient, PaymentEvent, CancellationToken)"/>, but the row is
    /// marked from <paramref name="stored"/> as read (its ETag and index key) in one write that also notes
    /// <paramref name="delivery"/>, instead of a read-then-write mark and a read-then-write note
    /// (<see cref="InboxStore.MarkReadAppliedAsync"/>; a row changed since it was read falls back to those).
    /// </summary>
    public async Task<DispatchResult> ApplyStoredAsync(DurableTaskClient client, InboxEntry stored, CallbackDelivery delivery, CancellationToken ct = default)
    {
        var paymentEvent = stored.Event ?? throw new ArgumentException("A stored callback without a payment event has nothing to dispatch.", nameof(stored));
        var result = await ApplyAsync(client, paymentEvent, ct);
        if (result != DispatchResult.UnknownOrder)
        {
            await inbox.MarkReadAppliedAsync(stored, result == DispatchResult.Raised ? StateAfterRaise(paymentEvent.Kind) : InboxState.Dispatched, delivery, ct);
        }
        return result;
    }

    /// <summary>
    /// The second look at a success raised to a running saga, from its inbox row as the outbox relay
    /// read it: once the saga has ended, the event is applied again against its outcome (no effect
    /// when the saga settled this payment, a refund when it cancelled without it) and the row marked
    /// dispatched. False while the saga still runs. One instance read (with input and output) decides
    /// both, and the row moves on the index key it was read with, without being read again.
    /// </summary>
    public async Task<bool> SettleRaisedAsync(DurableTaskClient client, InboxEntry raised, CancellationToken ct = default)
    {
        var paymentEvent = raised.Event ?? throw new ArgumentException("A raised row without a payment event has nothing to settle.", nameof(raised));
        var instance = await client.GetInstanceAsync(OrderSaga.InstanceId(paymentEvent.OrderId), getInputsAndOutputs: true, ct);
        if (instance is not { IsCompleted: true })
        {
            return false;
        }
        using (var span = StartDispatchSpan(paymentEvent))
        {
            var result = await ApplyToInstanceAsync(client, paymentEvent, instance, ct);
            span?.SetTag(PipelineTrace.OutcomeTag, result.ToString());
        }
        await inbox.MarkRaisedDispatchedAsync(raised, ct);
        return true;
    }

    public Task<DispatchResult> ApplyAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default) =>
        ApplyAsync(client, paymentEvent, waitForStart: true, ct);

    private async Task<DispatchResult> ApplyAsync(DurableTaskClient client, PaymentEvent paymentEvent, bool waitForStart, CancellationToken ct)
    {
        using var span = StartDispatchSpan(paymentEvent);
        var result = await ApplyUntracedAsync(client, paymentEvent, waitForStart, ct);
        span?.SetTag(PipelineTrace.OutcomeTag, result.ToString());
        return result;
    }

    // A raise made under this span carries its context into the saga's own (Microsoft.DurableTask) spans.
    private static System.Diagnostics.Activity? StartDispatchSpan(PaymentEvent paymentEvent)
    {
        var span = PipelineTrace.Source.StartActivity(PipelineTrace.Dispatch);
        span?.SetTag(PipelineTrace.ProviderTag, paymentEvent.Provider);
        span?.SetTag(PipelineTrace.EventIdTag, paymentEvent.EventId);
        span?.SetTag(PipelineTrace.OrderIdTag, paymentEvent.OrderId);
        return span;
    }

    private async Task<DispatchResult> ApplyUntracedAsync(DurableTaskClient client, PaymentEvent paymentEvent, bool waitForStart, CancellationToken ct)
    {
        var instance = await client.GetInstanceAsync(OrderSaga.InstanceId(paymentEvent.OrderId), getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            log.UnknownOrder(paymentEvent.EventId, paymentEvent.OrderId);
            return DispatchResult.UnknownOrder;
        }
        if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Pending && !IsSecondCapture(paymentEvent, instance))
        {
            // The Azure Storage provider discards an event it dequeues before it has processed the
            // instance's start ("No such instance"), and a success marked raised is not raised again
            // for minutes: wait briefly for the start, else treat the order as not there yet, so the
            // caller's next attempt (the retry lane's, the relay's, the active query's) applies it once the saga runs.
            var started = waitForStart ? await WaitForStartAsync(client, instance.InstanceId, PendingStartPatience, getInputsAndOutputs: true, ct) : null;
            if (started is null)
            {
                log.SagaNotStartedYet(paymentEvent.EventId, paymentEvent.OrderId, waitForStart ? PendingStartPatience : TimeSpan.Zero);
                return DispatchResult.UnknownOrder;
            }
            instance = started;
        }
        return await ApplyToInstanceAsync(client, paymentEvent, instance, ct);
    }

    /// <summary>What the event means for the saga as <paramref name="instance"/> (read with its input and output) shows it.</summary>
    private async Task<DispatchResult> ApplyToInstanceAsync(DurableTaskClient client, PaymentEvent paymentEvent, OrchestrationMetadata instance, CancellationToken ct)
    {
        var instanceId = instance.InstanceId;
        if (instance.ReadInputAs<OrderSagaInput>()?.Order is { } order && !BelongsTo(paymentEvent, order))
        {
            // Before anything else, a second capture's refund included: an event moves only an order of its
            // own gateway, however well it is signed (a leaked secret, or two gateways' ids colliding).
            await ParkProviderMismatchAsync(paymentEvent, order.Provider, ct);
            return DispatchResult.ProviderMismatch;
        }
        if (paymentEvent.IsRefundNotice)
        {
            // Whatever the saga's state: a refund notice moves the money ledger (and, for a refund someone
            // else made, the order), never the saga.
            await refunds.ApplyNoticeAsync(paymentEvent, ct: ct);
            return DispatchResult.RefundNotice;
        }
        if (paymentEvent.IsDisputeNotice)
        {
            // Likewise a dispute: the ledger's, and a lost one reverses a settled order, never the saga.
            await disputes.ApplyNoticeAsync(paymentEvent, ct);
            return DispatchResult.DisputeNotice;
        }
        if (IsSecondCapture(paymentEvent, instance))
        {
            // Not the payment this order settles by, whatever its saga is doing: the customer paid twice.
            await StartRefundAsync(client, paymentEvent, SecondCaptureReason, ct);
            return DispatchResult.LatePaymentRefund;
        }
        if (!instance.IsCompleted)
        {
            await client.RaiseEventAsync(instanceId, PaymentEvent.SagaEventName, paymentEvent, ct);
            return DispatchResult.Raised;
        }

        if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            // The crashed-saga sweep decided this order already: a capture on an order it cancelled is
            // refunded as any late payment; one on an order it completed with this payment changes nothing.
            if (paymentEvent.Kind == PaymentEventKind.Succeeded && await orders.GetAsync(paymentEvent.OrderId, ct) is { } decided)
            {
                if (decided.Status == OrderStatus.Cancelled)
                {
                    await StartRefundAsync(client, paymentEvent, LatePaymentReason, ct);
                    return DispatchResult.LatePaymentRefund;
                }
                if (decided.Status == OrderStatus.Completed && decided.PaymentId == paymentEvent.PaymentId)
                {
                    return DispatchResult.NoEffect;
                }
            }
            // The reconciler's crashed-saga sweep settles the order's payment; the event is parked beside it.
            log.SagaNotRunning(paymentEvent.EventId, paymentEvent.OrderId, instance.RuntimeStatus);
            await parked.ParkAsync(new ParkRequest(paymentEvent.OrderId, ParkedKinds.SagaFailed,
                $"A {paymentEvent.Kind} event arrived for a saga that is {instance.RuntimeStatus}.",
                $"{paymentEvent.Provider} event {paymentEvent.EventId}: {paymentEvent.AmountMinor} {paymentEvent.Currency} for payment {paymentEvent.PaymentId}", ReopenResolved: false), ct);
            return DispatchResult.SagaFailed;
        }
        var outcome = instance.ReadOutputAs<SagaOutcome>();
        if (paymentEvent.Kind == PaymentEventKind.Succeeded && outcome?.Status == OrderStatus.Cancelled)
        {
            await StartRefundAsync(client, paymentEvent, LatePaymentReason, ct);
            return DispatchResult.LatePaymentRefund;
        }
        return DispatchResult.NoEffect;
    }

    /// <summary>Whether <paramref name="paymentEvent"/> came from the gateway <paramref name="order"/> was registered with.</summary>
    public static bool BelongsTo(PaymentEvent paymentEvent, OrderRequest order) =>
        string.Equals(paymentEvent.Provider, order.Provider, StringComparison.Ordinal);

    /// <summary>
    /// Parks an event that names an order of another gateway, one item per event (each is evidence),
    /// counts it and logs it in the words the parked-items alert matches. The event is never applied.
    /// </summary>
    private async Task ParkProviderMismatchAsync(PaymentEvent paymentEvent, string orderProvider, CancellationToken ct)
    {
        log.ProviderMismatch(paymentEvent.OrderId, paymentEvent.Provider, paymentEvent.EventId, orderProvider);
        SagaMetrics.CountProviderMismatch(paymentEvent.Provider, orderProvider);
        await parked.ParkAsync(new ParkRequest(paymentEvent.OrderId, ParkedKinds.ProviderMismatch,
            $"A {paymentEvent.Provider} {paymentEvent.Kind} event named an order registered with {orderProvider}; not applied.",
            $"{paymentEvent.Provider} event {paymentEvent.EventId}: {paymentEvent.AmountMinor} {paymentEvent.Currency} for payment {paymentEvent.PaymentId}",
            Key: $"{paymentEvent.Provider}:{paymentEvent.EventId}", ReopenResolved: false), ct);
    }

    /// <summary>A success for another payment than the one this order settles by (read from the saga's input): the customer paid twice.</summary>
    private static bool IsSecondCapture(PaymentEvent paymentEvent, OrchestrationMetadata instance) =>
        paymentEvent.Kind == PaymentEventKind.Succeeded
        && instance.ReadInputAs<OrderSagaInput>()?.Order is { } order
        && paymentEvent.PaymentId != order.PaymentId;

    /// <summary>
    /// Starts the one refund orchestration of a payment (<c>refund-{paymentId}</c>); false when it
    /// already exists. The reconciler settles a crashed saga through here too.
    /// </summary>
    public Task<bool> StartRefundOnceAsync(DurableTaskClient client, LatePaymentInput input, CancellationToken ct = default) =>
        StartRefundOnceAsync(client, LatePaymentRefund.InstanceId(input.Refund.PaymentId), input, ct);

    /// <summary>Starts a refund orchestration under <paramref name="instanceId"/> (an after-sales refund's own); false when it already exists.</summary>
    public async Task<bool> StartRefundOnceAsync(DurableTaskClient client, string instanceId, LatePaymentInput input, CancellationToken ct = default)
    {
        if (await client.GetInstanceAsync(instanceId, ct) is not null)
        {
            return false;
        }
        return await DurableStart.StartOnceAsync(client, open, LatePaymentRefund.Name, instanceId, input, ct);
    }

    /// <summary>The saga's settings for a refund started outside a saga.</summary>
    public SagaSettings RefundSettings => sagaOptions.Value.ToSettings();

    private async Task StartRefundAsync(DurableTaskClient client, PaymentEvent paymentEvent, string reason, CancellationToken ct)
    {
        var input = new LatePaymentInput(
            new RefundRequest(paymentEvent.OrderId, paymentEvent.Provider, paymentEvent.PaymentId, paymentEvent.AmountMinor, paymentEvent.Currency, reason),
            RefundSettings);
        if (await StartRefundOnceAsync(client, input, ct))
        {
            log.LatePaymentRefundStarted(paymentEvent.PaymentId, paymentEvent.OrderId, reason);
        }
    }
}
