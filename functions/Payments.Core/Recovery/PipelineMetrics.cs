using System.Diagnostics.Metrics;
using Payments.Contracts;

namespace Payments.Recovery;

/// <summary>The counters operators alert on (Application Insights picks up this meter).</summary>
public static class PipelineMetrics
{
    public const string MeterName = PipelineTrace.MeterName;
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> DeadLettersParked = Meter.CreateCounter<long>("payments.deadletters.parked", description: "Dead-lettered callbacks parked for an operator.");
    public const string ReconciliationDiscrepanciesName = "payments.reconciliation.discrepancies";
    public static readonly Counter<long> ReconciliationDiscrepancies = Meter.CreateCounter<long>(ReconciliationDiscrepanciesName, description: "New discrepancies found between the gateway's statement and the ledger.");
    public const string StatementSourcesFailedName = "payments.reconciliation.sources_failed";
    public const string StatementRunsFailedName = "payments.reconciliation.runs_failed";
    public static readonly Counter<long> StatementSourcesFailed = Meter.CreateCounter<long>(StatementSourcesFailedName, description: "Gateway statements that could not be read for a statement run, tagged by provider; the run retries them while the others are reconciled.");
    public static readonly Counter<long> StatementRunsFailed = Meter.CreateCounter<long>(StatementRunsFailedName, description: "Statement runs that gave up after their retries, tagged by the step that failed.");
    public static readonly Counter<long> StatementLinesMalformed = Meter.CreateCounter<long>("payments.reconciliation.malformed_lines", description: "Statement rows that could not be parsed; isolated and reported, the rest of the statement still reconciled.");
    public static readonly Counter<long> CrashedSagas = Meter.CreateCounter<long>("payments.sagas.crashed", description: "Sagas found failed, terminated or stuck in Paid by the reconciler, tagged by action (refund_started, parked, stuck).");
    public const string RefundsOverdueName = "payments.refunds.overdue";
    public static readonly Counter<long> RefundsOverdue = Meter.CreateCounter<long>(RefundsOverdueName, unit: "{refund}",
        description: "Looks at refunds still not final past Reconciler:RefundOverdueAfterHours (accepted, not paid out), tagged by provider.");
    public static readonly Counter<long> CrashedRefunds = Meter.CreateCounter<long>("payments.refunds.crashed", description: "Refund orchestrations found failed or terminated by the reconciler, tagged by action (restarted, parked).");
    public const string MoneyFindingsName = "payments.money.findings";

    /// <summary>What breaks a money rule now, by rule (tag <c>rule</c>), recorded for every rule by each money monitor run: zero is a value too.</summary>
    public static readonly Gauge<long> MoneyFindings = Meter.CreateGauge<long>(MoneyFindingsName, unit: "{finding}",
        description: "Payments (or customers' points) breaking a money rule at the money monitor's last run, tagged by rule.");
    public const string LaneDepthName = "payments.lane.depth";
    public const string LaneOldestAgeName = "payments.lane.oldest_age_seconds";

    /// <summary>Messages on the retry lane (due or backing off), as each drain finds it; Storage Queue transport only.</summary>
    public static readonly Gauge<long> LaneDepth = Meter.CreateGauge<long>(LaneDepthName, unit: "{message}", description: "Messages on the retry lane when a drain started.");

    /// <summary>How long the oldest callback a drain handled had been on the lane: a lane that is not keeping up grows this.</summary>
    public static readonly Gauge<double> LaneOldestAge = Meter.CreateGauge<double>(LaneOldestAgeName, unit: "s", description: "Age of the oldest callback the last retry-lane drain handled, since it first went on the lane.");

    public const string OutboxRelayedName = "payments.outbox.relayed";
    public const string LaneDeadLetteredName = "payments.lane.dead_lettered";
    public const string DeadLettersRedrivenName = "payments.deadletters.redriven";
    public const string CallbacksRecoveredName = "payments.callbacks.recovered";

    /// <summary>Stored callbacks whose dispatch failed at intake and the outbox relay applied later.</summary>
    public static readonly Counter<long> OutboxRelayed = Meter.CreateCounter<long>(OutboxRelayedName, unit: "{callback}", description: "Stored callbacks the outbox relay dispatched after intake's dispatch failed.");

    /// <summary>Callbacks the retry lane gave up on after its last attempt (they go to dead-letter handling).</summary>
    public static readonly Counter<long> LaneDeadLettered = Meter.CreateCounter<long>(LaneDeadLetteredName, unit: "{callback}", description: "Callbacks dead-lettered by the retry lane after its last attempt.");

    /// <summary>Dead letters applied again because their order exists now, tagged by who re-drove them (drain, operator).</summary>
    public static readonly Counter<long> DeadLettersRedriven = Meter.CreateCounter<long>(DeadLettersRedrivenName, unit: "{callback}", description: "Dead-lettered callbacks re-driven and applied, tagged by who re-drove them.");

    public const string ActiveQueriesName = "payments.active_queries";

    /// <summary>Gateway calls the reconciler makes for orders still awaiting payment, tagged by the answer (Pending, Paid, …, error).</summary>
    public static readonly Counter<long> ActiveQueries = Meter.CreateCounter<long>(ActiveQueriesName, unit: "{query}", description: "Active payment queries at the gateway for orders still awaiting payment, tagged by answer.");

    public static readonly Counter<long> CallbacksRecovered = Meter.CreateCounter<long>(CallbacksRecoveredName, description: "Payments recovered by a path other than their webhook, tagged by path.");
}
