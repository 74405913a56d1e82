using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;
using Polly.Simmy.Fault;
using Polly.Simmy;
using Polly;

namespace Payments.Faults;

/// <summary>
/// Intake's dispatch under injected faults: its dispatch fails (before or after the callback is
/// stored), so the row is stored unapplied and left for the outbox relay. The recovery paths dispatch without this decorator.
/// </summary>
public sealed class FaultyCallbackDispatch : IStoredCallbackDispatch
{
    private readonly IStoredCallbackDispatch inner;
    private readonly FaultRandom random;
    private readonly ResiliencePipeline dispatch;

    public FaultyCallbackDispatch(IStoredCallbackDispatch inner, FaultOptions options, FaultRandom random)
    {
        this.inner = inner;
        this.random = random;
        dispatch = new ResiliencePipelineBuilder()
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                Name = "IntakeDispatchFailure",
                Enabled = options.IntakeDispatchFailureRate > 0,
                InjectionRate = options.IntakeDispatchFailureRate,
                Randomizer = random.Randomizer(FaultSeam.IntakeDispatch),
                FaultGenerator = _ => ValueTask.FromResult<Exception?>(new InjectedFaultException("Injected dispatch failure at intake.")),
                OnFaultInjected = _ => FaultMetrics.CountAsync(FaultMetrics.IntakeDispatch),
            })
            .Build();
    }

    public async Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, CancellationToken ct = default)
    {
        using var key = random.Use($"{stored.Provider}/{stored.EventId}");
        return await dispatch.ExecuteAsync(async token => await inner.ApplyStoredOrDeferAsync(client, stored, token), ct);
    }

    /// <summary>An injected failure here is a dispatch failure too: intake then stores the callback unapplied, for the relay.</summary>
    public async Task<OrderRowLook> RaiseBeforeStoringAsync(DurableTaskClient client, PaymentEvent paymentEvent, CancellationToken ct = default)
    {
        using var key = random.Use($"{paymentEvent.Provider}/{paymentEvent.EventId}");
        return await dispatch.ExecuteAsync(async token => await inner.RaiseBeforeStoringAsync(client, paymentEvent, token), ct);
    }

    /// <summary>
    /// Not faulted: intake calls this only after <see cref="RaiseBeforeStoringAsync"/> passed, and one
    /// decision per callback keeps the configured rate the rate of callbacks left to the relay.
    /// </summary>
    public Task<DispatchResult> ApplyStoredOrDeferAsync(DurableTaskClient client, InboxEntry stored, OrderRowLook looked, CancellationToken ct = default) =>
        inner.ApplyStoredOrDeferAsync(client, stored, looked, ct);
}
