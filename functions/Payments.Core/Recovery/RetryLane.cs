using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Callbacks that could not be applied yet (usually: the callback outran its order's registration)
/// ride the lane with capped exponential back-off until they apply, or are dead-lettered with a reason.
/// A drain is bounded by storage, not by its schedule: <see cref="LaneOptions.DrainConcurrency"/>
/// receivers take batches side by side for as long as messages are due, up to
/// <see cref="LaneOptions.DrainBudget"/>. A message that cannot be read is dead-lettered at once and
/// never blocks the ones behind it. A lost lock is no failure (the message comes again); during an
/// outage the drain hands back what it holds (abandon) and stops, instead of holding locks until they expire.
/// </summary>
/// <remarks>
/// Two drains (the timer's and scale-out workers, on any instances) may run at once. The transport's
/// lock keeps a message with one receiver at a time; when a lock runs out or a retry is sent twice,
/// the same callback is applied twice, and that is harmless: the inbox row says it is applied, and
/// the saga ignores a payment event it already has. At-least-once on the lane, exactly once in effect.
/// </remarks>
public sealed class RetryLane(
    IMessageLane lane,
    InboxStore inbox,
    PaymentDispatch dispatch,
    LaneWaitingIndex waiting,
    IOptions<LaneOptions> options,
    TimeProvider clock,
    ILogger<RetryLane> log)
{
    private LaneOptions Options => options.Value;

    /// <summary>
    /// The timer's drain: drains, and when the backlog outlasted the drain's budget, starts the
    /// scale-out (<see cref="LaneScaleOut"/>) so the next minutes are drained by several instances.
    /// </summary>
    public async Task<LaneDrainReport> DrainOnScheduleAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var report = await DrainAsync(durable, ct);
        if (report.BudgetSpent && Options.ScaleOutWorkers > 0 && await LaneScaleOut.StartAsync(durable, Options.ScaleOutWorkers, ct))
        {
            log.LaneScaledOut(Options.ScaleOutWorkers);
        }
        return report;
    }

    /// <summary>One drain: the timer's, or one scale-out worker's.</summary>
    public async Task<LaneDrainReport> DrainAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        using var span = PipelineTrace.Source.StartActivity(PipelineTrace.LaneDrain);
        await RecordDepthAsync(ct);
        var run = new DrainRun(clock.GetUtcNow() + Options.DrainBudget);
        await Task.WhenAll(Enumerable.Range(0, Options.DrainConcurrency).Select(_ => ReceiveLoopAsync(run, durable, ct)));
        var report = run.Report();
        if (run.OldestAge is { } oldest)
        {
            PipelineMetrics.LaneOldestAge.Record(oldest.TotalSeconds);
        }
        if (report.DeadLettered > 0)
        {
            PipelineMetrics.LaneDeadLettered.Add(report.DeadLettered);
        }
        if (report.Settled + report.Abandoned + report.LocksLost > 0)
        {
            log.LaneDrained(report.Applied, report.Retried, report.DeadLettered, report.Abandoned, report.LocksLost);
        }
        return report;
    }

    /// <summary>One receiver of a drain: batch after batch, each settled in order, until nothing is due, time is up or storage is down.</summary>
    private async Task ReceiveLoopAsync(DrainRun run, DurableTaskClient durable, CancellationToken ct)
    {
        while (!run.Outage)
        {
            if (clock.GetUtcNow() >= run.Deadline)
            {
                run.BudgetSpent = true;
                return;
            }
            var deliveries = await lane.ReceiveAsync(Options.BatchSize, ct);
            if (deliveries.Count == 0)
            {
                return;
            }
            foreach (var delivery in deliveries)
            {
                // Once storage or the transport is down, the rest of the batch is handed back unworked
                // rather than held until its locks run out, and no more is received this run.
                var settled = run.Outage ? await AbandonAsync(delivery, ct) : await SettleAsync(delivery, durable, run, ct);
                run.Count(settled);
            }
        }
    }

    private async Task RecordDepthAsync(CancellationToken ct)
    {
        try
        {
            if (await lane.CountAsync(ct) is { } depth)
            {
                PipelineMetrics.LaneDepth.Record(depth);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && IsOutage(ex))
        {
            // The drain itself meets the outage next and hands back what it holds; the metric waits for the next run.
            log.LaneDepthUnknown(ex);
        }
    }

    /// <summary>The shared state of one drain's receivers.</summary>
    private sealed class DrainRun(DateTimeOffset deadline)
    {
        private readonly int[] counts = new int[Enum.GetValues<Settled>().Length];
        private long oldestTicks = -1;
        private volatile bool outage;
        private volatile bool budgetSpent;

        public DateTimeOffset Deadline => deadline;

        public bool Outage => outage;

        public bool BudgetSpent { get => budgetSpent; set => budgetSpent = value; }

        public TimeSpan? OldestAge => Interlocked.Read(ref oldestTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

        public void Count(Settled settled)
        {
            Interlocked.Increment(ref counts[(int)settled]);
            if (settled == Settled.Abandoned)
            {
                outage = true;
            }
        }

        public void Saw(TimeSpan age)
        {
            var ticks = Math.Max(0, age.Ticks);
            long seen;
            while ((seen = Interlocked.Read(ref oldestTicks)) < ticks && Interlocked.CompareExchange(ref oldestTicks, ticks, seen) != seen)
            {
            }
        }

        public LaneDrainReport Report() => new(
            counts[(int)Settled.Applied], counts[(int)Settled.Retried], counts[(int)Settled.DeadLettered],
            counts[(int)Settled.Abandoned], counts[(int)Settled.LockLost], BudgetSpent && !Outage);
    }

    private enum Settled { Applied, Retried, DeadLettered, Abandoned, LockLost }

    /// <summary>Works one delivery, telling a lost lock and an outage apart from a failed dispatch.</summary>
    private async Task<Settled> SettleAsync(ILaneDelivery delivery, DurableTaskClient durable, DrainRun run, CancellationToken ct)
    {
        try
        {
            await delivery.KeepLockAsync(ct);
            return await HandleAsync(delivery, durable, run, ct);
        }
        catch (LaneLockLostException)
        {
            // The transport hands the message out again; the work done on it is idempotent.
            log.LaneLockLost(delivery.MessageId);
            return Settled.LockLost;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && IsOutage(ex))
        {
            log.LaneStorageUnavailable(ex, delivery.MessageId);
            return await AbandonAsync(delivery, ct);
        }
    }

    private static bool IsOutage(Exception exception) => exception is LaneUnavailableException || StorageFailure.IsUnavailable(exception);

    private async Task<Settled> AbandonAsync(ILaneDelivery delivery, CancellationToken ct)
    {
        try
        {
            await delivery.AbandonAsync(ct);
        }
        catch (Exception ex) when (ex is LaneLockLostException || (!ct.IsCancellationRequested && IsOutage(ex)))
        {
            // Nothing to hand back, or no one to hand it to (storage still down: the 10,000-message bench met
            // a timeout here, which stopped the whole drain): the lock runs out by itself.
            log.LaneAbandonFailed(ex, delivery.MessageId);
        }
        return Settled.Abandoned;
    }

    private async Task<Settled> HandleAsync(ILaneDelivery delivery, DurableTaskClient durable, DrainRun run, CancellationToken ct)
    {
        if (!TryRead(delivery.Body, out var message))
        {
            return await DeadLetterAsync(delivery, "unparseable", "The message body is not a lane message.", ct);
        }
        if (message!.Version != LaneMessage.CurrentVersion)
        {
            return await DeadLetterAsync(delivery, "unknown_version", $"Lane message version {message.Version}; this build reads {LaneMessage.CurrentVersion}.", ct);
        }
        if (message.QueuedAt is { } queuedAt)
        {
            run.Saw(clock.GetUtcNow() - queuedAt);
        }
        if (delivery.DeliveryCount > Options.MaxAttempts + 2)
        {
            return await DeadLetterAsync(delivery, "poison", $"Handed out {delivery.DeliveryCount} times without being settled.", ct);
        }
        try
        {
            var entry = await inbox.GetAsync(message.Provider, message.EventId, ct);
            if (entry?.Event is not { } paymentEvent)
            {
                return await DeadLetterAsync(delivery, "callback_missing", $"No stored payment event {message.MessageId} in the inbox.", ct);
            }
            if (entry.State is not (InboxState.Dispatched or InboxState.Raised))
            {
                // Applied here, the row is marked and the attempt noted in one inbox write from the row as read.
                if (await dispatch.ApplyStoredAsync(durable, entry, Attempt(message, "applied"), ct) == DispatchResult.UnknownOrder)
                {
                    return await RetryOrDeadLetterAsync(delivery, message, "unknown_order", $"Order {message.OrderId} still unknown after {message.Attempt} attempts.", ct);
                }
                // It waits for its order no more. (Whoever applied it earlier removed its entry then.)
                await waiting.RemoveAsync(message.OrderId, message.Provider, message.EventId, ct);
            }
            await delivery.CompleteAsync(ct);
            return Settled.Applied;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not LaneLockLostException && !IsOutage(ex))
        {
            return await RetryOrDeadLetterAsync(delivery, message, "dispatch_failed", $"{ex.GetType().Name}: {ex.Message}", ct);
        }
    }

    private async Task<Settled> RetryOrDeadLetterAsync(ILaneDelivery delivery, LaneMessage message, string reason, string description, CancellationToken ct)
    {
        await NoteAttemptAsync(message, message.Attempt >= Options.MaxAttempts ? $"dead-lettered: {reason}" : $"retry scheduled: {reason}", ct);
        if (message.Attempt >= Options.MaxAttempts)
        {
            // The dead letter is the operator's now (the desk re-drives it): a late registration no longer applies it behind the desk's back.
            await waiting.RemoveAsync(message.OrderId, message.Provider, message.EventId, ct);
            return await DeadLetterAsync(delivery, reason, description, ct);
        }
        // Send the next attempt before settling this one: a crash in between duplicates, never loses.
        await lane.SendAsync(message with { Attempt = message.Attempt + 1 }, Options.Backoff(message.Attempt + 1), ct);
        await delivery.CompleteAsync(ct);
        return Settled.Retried;
    }

    private async Task<Settled> DeadLetterAsync(ILaneDelivery delivery, string reason, string description, CancellationToken ct)
    {
        log.LaneDeadLettering(delivery.MessageId, reason);
        await delivery.DeadLetterAsync(reason, description, ct);
        return Settled.DeadLettered;
    }

    /// <summary>Notes the attempt on the stored callback for the operator's timeline; a record only, so an outage does not fail the attempt.</summary>
    private async Task NoteAttemptAsync(LaneMessage message, string answer, CancellationToken ct)
    {
        try
        {
            await inbox.NoteDeliveryAsync(message.Provider, message.EventId, Attempt(message, answer), ct);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex) && !ct.IsCancellationRequested)
        {
            log.LaneAttemptNotNoted(ex, message.Attempt, message.Provider, message.EventId);
        }
    }

    private CallbackDelivery Attempt(LaneMessage message, string answer) => new(clock.GetUtcNow(), $"retry-lane attempt {message.Attempt}", answer);

    public static bool TryRead(BinaryData body, out LaneMessage? message)
    {
        try
        {
            message = body.ToObjectFromJson<LaneMessage>();
            return message is { Provider.Length: > 0, EventId.Length: > 0 };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            message = null;
            return false;
        }
    }
}
