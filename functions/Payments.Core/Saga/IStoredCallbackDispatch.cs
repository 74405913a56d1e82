using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// Intake's dispatch: raise a callback to its order's running saga before storing it (then it is
/// stored already applied), or apply the callback it has just stored and mark the inbox row, or put it
/// on the retry lane when its order is unknown yet. A port of its own so the demo and the tests can make that step fail (with
/// injected faults) and show the outbox relay picking the row up. The recovery paths call
/// <see cref="PaymentDispatch"/> directly: they are the net under this step, and a fault meant for
/// intake must not cut through the net.
/// </summary>
public interface IStoredCallbackDispatch
{
    /// <inheritdoc cref="PaymentDispatch.ApplyStoredOrDeferAsync"/>
    Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, CancellationToken ct = default);

    /// <inheritdoc cref="PaymentDispatch.RaiseBeforeStoringAsync"/>
    Task<OrderRowLook> RaiseBeforeStoringAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default);

    /// <inheritdoc cref="PaymentDispatch.ApplyStoredOrDeferAsync(DurableTaskClient, InboxEntry, OrderRowLook, CancellationToken)"/>
    Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, OrderRowLook looked, CancellationToken ct = default);
}
