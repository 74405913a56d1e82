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
/// </summary>
public sealed class RetryLane(IMessageLane lane, InboxStore inbox, PaymentDispatch dispatch, IOptions<LaneOptions> options, ILogger<RetryLane> log)
{
    private LaneOptions Options => options.Value;

    public async Task<LaneDrainReport> DrainAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        int applied = 0, retried = 0, deadLettered = 0;
        var budget = Options.BatchSize;
        while (budget > 0)
        {
            var deliveries = await lane.ReceiveAsync(budget, ct);
            if (deliveries.Count == 0)
            {
                break;
            }
            budget -= deliveries.Count;
            foreach (var delivery in deliveries)
            {
                switch (await HandleAsync(delivery, durable, ct))
                {
                    case Settled.Applied: applied++; break;
                    case Settled.Retried: retried++; break;
                    case Settled.DeadLettered: deadLettered++; break;
                }
            }
        }
        if (applied + retried + deadLettered > 0)
        {
            log.LaneDrained(applied, retried, deadLettered);
        }
        return new LaneDrainReport(applied, retried, deadLettered);
    }

    private enum Settled { Applied, Retried, DeadLettered, Left }

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
        catch (Exception ex) when (!ct.IsCancellationRequested && StorageFailure.IsUnavailable(ex))
        {
            // Left unsettled: the message becomes visible again and the next drain retries it.
            log.LaneStorageUnavailable(ex, message.MessageId);
            return Settled.Left;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
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
