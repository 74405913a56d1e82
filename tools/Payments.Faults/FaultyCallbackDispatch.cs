using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;
using Polly.Simmy.Fault;
using Polly.Simmy;
using Polly;

namespace Payments.Faults;

/// <summary>
/// Intake's dispatch under injected faults: the callback is stored, then its dispatch fails, so the
/// row is left for the outbox relay. The recovery paths dispatch without this decorator.
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
}
