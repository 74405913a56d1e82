using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// Applies a payment event to its order's saga; shared by intake and every recovery path.
/// </summary>
/// <remarks>
/// Durable Task has no atomic "raise event or start": a saga can finish between our look and our
/// raise, and the event is then dropped with the instance. Two safety nets close that window. A
/// saga still waiting for payment only ends by its timer, and at that point queries and closes the
/// payment at the gateway, so a success the event carried is seen there. A saga that was already
/// past its payment decision and cancelling is covered by the daily statement reconciliation
/// (paid but cancelled → refund).
/// </remarks>
public sealed class PaymentDispatch(
    IOptions<SagaOptions> sagaOptions,
    IOptions<LaneOptions> laneOptions,
    ParkedItems parked,
    InboxStore inbox,
    IMessageLane lane,
    ILogger<PaymentDispatch> log) : IStoredCallbackDispatch
{
    /// <summary>
    /// Intake's and the outbox relay's dispatch of a stored callback: applied, or, when its order is
    /// unknown yet (the callback outran the order's registration), put on the retry lane with its
    /// inbox row marked queued. <see cref="DispatchResult.UnknownOrder"/> then means "on the lane".
    /// </summary>
    public async Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default)
    {
        var result = await ApplyStoredAsync(client, paymentEvent, ct);
        if (result == DispatchResult.UnknownOrder)
        {
            await lane.SendAsync(LaneMessage.For(paymentEvent, attempt: 1), laneOptions.Value.Backoff(1), ct);
            await inbox.MarkQueuedAsync(paymentEvent.Provider, paymentEvent.EventId, ct);
        }
        return result;
    }

    /// <summary>
    /// Applies a callback stored in the inbox and marks its row dispatched, unless its order is
    /// unknown yet (then the row is left for the caller to queue or retry).
    /// </summary>
    public async Task<DispatchResult> ApplyStoredAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default)
    {
        var result = await ApplyAsync(client, paymentEvent, ct);
        if (result != DispatchResult.UnknownOrder)
        {
            await inbox.MarkDispatchedAsync(paymentEvent.Provider, paymentEvent.EventId, ct);
        }
        return result;
    }

    public async Task<DispatchResult> ApplyAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default)
    {
        var instanceId = OrderSaga.InstanceId(paymentEvent.OrderId);
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            log.UnknownOrder(paymentEvent.EventId, paymentEvent.OrderId);
            return DispatchResult.UnknownOrder;
        }
        if (!instance.IsCompleted)
        {
            await client.RaiseEventAsync(instanceId, PaymentEvent.SagaEventName, paymentEvent, ct);
            return DispatchResult.Raised;
        }

        if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            log.SagaNotRunning(paymentEvent.EventId, paymentEvent.OrderId, instance.RuntimeStatus);
            await parked.ParkAsync(new ParkRequest(paymentEvent.OrderId, ParkedKinds.SagaFailed,
                $"A {paymentEvent.Kind} event arrived for a saga that is {instance.RuntimeStatus}.",
                $"{paymentEvent.Provider} event {paymentEvent.EventId}: {paymentEvent.AmountMinor} {paymentEvent.Currency} for payment {paymentEvent.PaymentId}"), ct);
            return DispatchResult.SagaFailed;
        }
        var outcome = instance.ReadOutputAs<SagaOutcome>();
        if (paymentEvent.Kind == PaymentEventKind.Succeeded && outcome?.Status == OrderStatus.Cancelled)
        {
            await StartLatePaymentRefundAsync(client, paymentEvent, ct);
            return DispatchResult.LatePaymentRefund;
        }
        return DispatchResult.NoEffect;
    }

    private async Task StartLatePaymentRefundAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct)
    {
        var instanceId = LatePaymentRefund.InstanceId(paymentEvent.PaymentId);
        if (await client.GetInstanceAsync(instanceId, ct) is not null)
        {
            return;
        }
        var input = new LatePaymentInput(
            new RefundRequest(paymentEvent.OrderId, paymentEvent.Provider, paymentEvent.PaymentId, paymentEvent.AmountMinor, paymentEvent.Currency, "late_payment"),
            sagaOptions.Value.ToSettings());
        await DurableStart.StartOnceAsync(client, LatePaymentRefund.Name, instanceId, input, ct);
        log.LatePaymentRefundStarted(paymentEvent.PaymentId, paymentEvent.OrderId);
    }
}
