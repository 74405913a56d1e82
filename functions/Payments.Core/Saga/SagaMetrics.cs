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

    public const string RefundsFailedName = "payments.refunds.failed";

    public static readonly Counter<long> RefundsFailed = Meter.CreateCounter<long>(RefundsFailedName, unit: "{refund}",
        description: "Refunds that failed or were closed after the gateway accepted them (the customer was not paid back): parked with a retry. Tagged by provider and state.");

    public static readonly Counter<long> PointsReversed = Meter.CreateCounter<long>("payments.points.reversed", unit: "{point}",
        description: "Loyalty points taken back from customers by refunds of completed orders (after-sales, at the gateway).");

    public static readonly Counter<long> ProviderMismatches = Meter.CreateCounter<long>(ProviderMismatchesName, unit: "{event}",
        description: "Verified events (callbacks, statement lines) of one gateway that named an order registered with another; parked, never applied. Tagged by provider and order_provider.");

    /// <summary>Counts one event of <paramref name="provider"/> that named an order of <paramref name="orderProvider"/>.</summary>
    public static void CountProviderMismatch(string? provider, string? orderProvider) =>
        ProviderMismatches.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("order_provider", orderProvider));
}
