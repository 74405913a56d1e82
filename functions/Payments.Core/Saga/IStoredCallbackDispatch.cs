using Microsoft.DurableTask.Client;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// Intake's last step: apply a callback it has just stored to its order's saga and mark the inbox
/// row dispatched, or put it on the retry lane when its order is unknown yet. A port of its own so the demo and the tests can make that step fail (with
/// injected faults) and show the outbox relay picking the row up. The recovery paths call
/// <see cref="PaymentDispatch"/> directly: they are the net under this step, and a fault meant for
/// intake must not cut through the net.
/// </summary>
public interface IStoredCallbackDispatch
{
    /// <inheritdoc cref="PaymentDispatch.ApplyStoredOrDeferAsync"/>
    Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, CancellationToken ct = default);
}
