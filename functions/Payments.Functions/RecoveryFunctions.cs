using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Operations;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Functions;

/// <summary>
/// Timer-driven recovery, each on a schedule from app settings: the retry lane (and its scale-out
/// fan-out of drain workers over the app's instances), the dead letters, the reconciler's steps (outbox
/// relay + active payment queries, refund tracking, the crashed-saga sweep, the failed-refund sweep: one
/// function each, so each has its own run and budget), yesterday's statement run (started, it runs as
/// its own orchestration), inbox retention, retention of finished Durable instances.
/// </summary>
public sealed class RecoveryFunctions(RetryLane retryLane, DeadLetterDesk deadLetters, Reconciler reconciler, StatementReconciler statements, InboxStore inbox, InstanceRetention instances, TimeProvider clock)
{
    [Function("RetryLaneDrain")]
    public Task<LaneDrainReport> DrainRetryLane(
        [TimerTrigger("%RetryLaneSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        retryLane.DrainOnScheduleAsync(durable, ct);

    [Function(LaneScaleOut.Name)]
    [OrchestrationInput(typeof(int))]
    public static Task<LaneDrainReport> RunLaneScaleOut([OrchestrationTrigger] TaskOrchestrationContext context) =>
        LaneScaleOut.RunAsync(context, context.GetInput<int>());

    [Function(LaneScaleOut.WorkerName)]
    public Task<LaneDrainReport> DrainRetryLaneWorker([ActivityTrigger] int worker, [DurableClient] DurableTaskClient durable, CancellationToken ct) =>
        retryLane.DrainAsync(durable, ct);

    [Function("DeadLetterDrain")]
    public Task<DeadLetterDrainReport> DrainDeadLetters(
        [TimerTrigger("%DeadLetterSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        deadLetters.DrainAsync(durable, ct);

    [Function("Reconciler")]
    public Task<ReconcilerReport> Reconcile(
        [TimerTrigger("%ReconcilerSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        reconciler.RelayAndQueryAsync(durable, ct);

    [Function("RefundTracking")]
    public Task<ReconcilerReport> TrackRefunds([TimerTrigger("%RefundTrackingSchedule%")] TimerInfo timer, CancellationToken ct) =>
        reconciler.TrackRefundsAsync(ct);

    [Function("CrashedSagaSweep")]
    public Task<ReconcilerReport> SweepCrashedSagas(
        [TimerTrigger("%CrashedSagaSweepSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        reconciler.SweepCrashedSagasAsync(durable, ct);

    [Function("FailedRefundSweep")]
    public Task<ReconcilerReport> SweepFailedRefunds(
        [TimerTrigger("%FailedRefundSweepSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        reconciler.SweepFailedRefundsAsync(durable, ct);

    [Function("StatementReconciliation")]
    public Task<StatementRunStart> ReconcileYesterdaysStatement(
        [TimerTrigger("%StatementSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        statements.StartAsync(durable, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1), ct);

    [Function("InboxPurge")]
    public Task<int> PurgeInbox([TimerTrigger("%InboxPurgeSchedule%")] TimerInfo timer, CancellationToken ct) =>
        inbox.PurgeExpiredAsync(ct);

    [Function("InstancePurge")]
    public Task<InstancePurgeReport> PurgeInstances(
        [TimerTrigger("%InstancePurgeSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        instances.PurgeAsync(durable, ct);
}
