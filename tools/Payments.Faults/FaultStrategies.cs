using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;

namespace Payments.Faults;

/// <summary>The chaos strategies the decorators share, configured from <see cref="FaultOptions"/>.</summary>
internal static class FaultStrategies
{
    /// <summary>Every call waits <paramref name="latencyMs"/> first; off when zero.</summary>
    public static TBuilder AddAddedLatency<TBuilder>(this TBuilder builder, int latencyMs, Func<double> randomizer)
        where TBuilder : ResiliencePipelineBuilderBase =>
        builder.AddChaosLatency(new ChaosLatencyStrategyOptions
        {
            Name = "AddedLatency",
            Enabled = latencyMs > 0,
            InjectionRate = 1.0,
            Latency = TimeSpan.FromMilliseconds(latencyMs),
            Randomizer = randomizer,
        });

    /// <summary>
    /// A share <paramref name="rate"/> of calls throws <see cref="InjectedFaultException"/> instead of
    /// running, counted as <paramref name="what"/> (a <see cref="FaultMetrics"/> kind); off when zero.
    /// </summary>
    public static TBuilder AddTransientFailures<TBuilder>(this TBuilder builder, double rate, string what, Func<double> randomizer)
        where TBuilder : ResiliencePipelineBuilderBase =>
        builder.AddChaosFault(new ChaosFaultStrategyOptions
        {
            Name = "TransientFailure",
            Enabled = rate > 0,
            InjectionRate = rate,
            Randomizer = randomizer,
            FaultGenerator = _ => ValueTask.FromResult<Exception?>(new InjectedFaultException($"Injected transient {what} failure.")),
            OnFaultInjected = _ => FaultMetrics.CountAsync(what),
        });
}
