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
/// ride the lane with exponential back-off until they apply, or are dead-lettered with a reason.
/// A message that cannot be read is dead-lettered at once and never blocks the ones behind it.
/// A lost lock is no failure (the message comes again); during an outage the drain hands back what
/// it holds (abandon) and stops, instead of holding locks until they expire.
/// </summary>
public sealed class RetryLane(IMessageLane lane, InboxStore inbox, PaymentDispatch dispatch, IOptions<LaneOptions> options, ILogger<RetryLane> log)
{
    private LaneOptions Options => options.Value;

    public async Task<LaneDrainReport> DrainAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var counts = new Dictionary<Settled, int>();
        var budget = Options.BatchSize;
        var outage = false;
        while (budget > 0 && !outage)
        {
            var deliveries = await lane.ReceiveAsync(budget, ct);
            if (deliveries.Count == 0)
            {
                break;
            }
            budget -= deliveries.Count;
            foreach (var delivery in deliveries)
            {
                // Once storage or the transport is down, the rest of the batch is handed back unworked
                // rather than held until its locks run out, and no more is received this run.
                var settled = outage ? await AbandonAsync(delivery, ct) : await SettleAsync(delivery, durable, ct);
                outage |= settled == Settled.Abandoned;
                counts[settled] = counts.GetValueOrDefault(settled) + 1;
            }
        }
        var report = new LaneDrainReport(
            counts.GetValueOrDefault(Settled.Applied),
            counts.GetValueOrDefault(Settled.Retried),
            counts.GetValueOrDefault(Settled.DeadLettered),
            counts.GetValueOrDefault(Settled.Abandoned),
            counts.GetValueOrDefault(Settled.LockLost));
        if (counts.Count > 0)
        {
            log.LaneDrained(report.Applied, report.Retried, report.DeadLettered, report.Abandoned, report.LocksLost);
        }
        return report;
    }

    private enum Settled { Applied, Retried, DeadLettered, Abandoned, LockLost }

    /// <summary>Works one delivery, telling a lost lock and an outage apart from a failed dispatch.</summary>
    private async Task<Settled> SettleAsync(ILaneDelivery delivery, DurableTaskClient durable, CancellationToken ct)
    {
        try
        {
            await delivery.KeepLockAsync(ct);
            return await HandleAsync(delivery, durable, ct);
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
        catch (Exception ex) when (ex is LaneLockLostException or LaneUnavailableException)
        {
            // Nothing to hand back, or no one to hand it to: the lock runs out by itself.
            log.LaneAbandonFailed(ex, delivery.MessageId);
        }
        return Settled.Abandoned;
    }

    private async Task<Settled> HandleAsync(ILaneDelivery delivery, DurableTaskClient durable, CancellationToken ct)
    {
        if (!TryRead(delivery.Body, out var message))
        {
            return await DeadLetterAsync(delivery, "unparseable", "The message body is not a lane message.", ct);
        }
        if (message!.Version != LaneMessage.CurrentVersion)
        {
            return await DeadLetterAsync(delivery, "unknown_version", $"Lane message version {message.Version}; this build reads {LaneMessage.CurrentVersion}.", ct);
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
            if (entry.State is InboxState.Dispatched or InboxState.Raised)
            {
                await delivery.CompleteAsync(ct);
                return Settled.Applied;
            }
            if (await dispatch.ApplyStoredAsync(durable, paymentEvent, ct) == DispatchResult.UnknownOrder)
            {
                return await RetryOrDeadLetterAsync(delivery, message, "unknown_order", $"Order {message.OrderId} still unknown after {message.Attempt} attempts.", ct);
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
        if (message.Attempt >= Options.MaxAttempts)
        {
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
