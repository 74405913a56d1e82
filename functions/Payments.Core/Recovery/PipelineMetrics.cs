using System.Diagnostics.Metrics;

namespace Payments.Recovery;

/// <summary>The counters operators alert on (Application Insights picks up this meter).</summary>
public static class PipelineMetrics
{
    public const string MeterName = "Payments.Pipeline";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> DeadLettersParked = Meter.CreateCounter<long>("payments.deadletters.parked", description: "Dead-lettered callbacks parked for an operator.");
    public static readonly Counter<long> ReconciliationDiscrepancies = Meter.CreateCounter<long>("payments.reconciliation.discrepancies", description: "New discrepancies found between the gateway's statement and the ledger.");
    public static readonly Counter<long> CrashedSagas = Meter.CreateCounter<long>("payments.sagas.crashed", description: "Sagas found failed, terminated or stuck in Paid by the reconciler, tagged by action (refund_started, parked, stuck).");
    public static readonly Counter<long> CrashedRefunds = Meter.CreateCounter<long>("payments.refunds.crashed", description: "Refund orchestrations found failed or terminated by the reconciler, tagged by action (restarted, parked).");
    public static readonly Counter<long> CallbacksRecovered = Meter.CreateCounter<long>("payments.callbacks.recovered", description: "Payments recovered by a path other than their webhook, tagged by path.");
}
