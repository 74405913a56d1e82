using System.Diagnostics.Metrics;
using Payments.Contracts;

namespace Payments.Saga;

/// <summary>
/// The counters dispatch adds to, on the pipeline's meter (<see cref="PipelineTrace.MeterName"/>, the
/// name <c>Recovery.PipelineMetrics</c> uses too: a listener subscribes by name and sees both).
/// </summary>
public static class SagaMetrics
{
    private static readonly Meter Meter = new(PipelineTrace.MeterName);

    public const string ProviderMismatchesName = "payments.callbacks.provider_mismatch";

    public static readonly Counter<long> ProviderMismatches = Meter.CreateCounter<long>(ProviderMismatchesName, unit: "{event}",
        description: "Verified events (callbacks, statement lines) of one gateway that named an order registered with another; parked, never applied. Tagged by provider and order_provider.");
}
