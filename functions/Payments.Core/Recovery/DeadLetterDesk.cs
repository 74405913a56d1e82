using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Where dead letters end up. Each is classified: one whose order now exists is re-driven at once;
/// the rest are parked with an alert metric for an operator, who can re-drive or discard them.
/// </summary>
public sealed class DeadLetterDesk(
    IMessageLane lane,
    DeadLetterStore letters,
    InboxStore inbox,
    PaymentDispatch dispatch,
    TimeProvider clock,
    ILogger<DeadLetterDesk> log)
{
    /// <summary>At most this many re-drives per "re-drive all" call, so an operator cannot flood the sagas.</summary>
    public const int MaxRedrivesPerCall = 50;

    public async Task<DeadLetterDrainReport> DrainAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        int redriven = 0, parked = 0;
        IReadOnlyList<ILaneDelivery> deliveries;
        while ((deliveries = await lane.ReceiveDeadLettersAsync(32, ct)).Count > 0)
        {
            foreach (var delivery in deliveries)
            {
                try
                {
                    await delivery.KeepLockAsync(ct);
                    if (await TryRedriveNowAsync(delivery, durable, ct))
                    {
                        redriven++;
                    }
                    else if (await ParkAsync(delivery, ct))
                    {
                        parked++;
                    }
                    await delivery.CompleteAsync(ct);
                }
                catch (LaneLockLostException)
                {
                    // Delivered again: parking and re-driving are idempotent, so the next pass only completes it.
                    log.LaneLockLost(delivery.MessageId);
                }
            }
        }
        return new DeadLetterDrainReport(redriven, parked);
    }

    /// <summary>An operator's re-drive of one parked letter; <paramref name="caller"/> is recorded with the resolution.</summary>
    public async Task<RedriveResult> RedriveAsync(string letterId, DurableTaskClient durable, OperatorCaller caller, CancellationToken ct = default)
    {
        var letter = await letters.GetAsync(letterId, ct);
        if (letter is null)
        {
            return RedriveResult.NotFound;
        }
        if (letter.Status != LetterStatus.Parked)
        {
            return RedriveResult.AlreadyResolved;
        }
        if (letter.Provider is null || letter.EventId is null || await inbox.GetAsync(letter.Provider, letter.EventId, ct) is not { Event: { } paymentEvent })
        {
            return RedriveResult.NotRedrivable;
        }
        if (await dispatch.ApplyStoredAsync(durable, paymentEvent, ct) == DispatchResult.UnknownOrder)
        {
            return RedriveResult.StillUnknownOrder;
        }
        // Dispatch is idempotent (the saga ignores a repeated event), so losing this race to a second operator applies nothing twice.
        return await letters.ResolveAsync(letterId, LetterStatus.Redriven, $"Re-driven by {caller.AuditName} at {clock.GetUtcNow():O}.", caller.AuditName, ct)
            ? RedriveResult.Applied
            : RedriveResult.AlreadyResolved;
    }

    public async Task<IReadOnlyDictionary<string, RedriveResult>> RedriveAllAsync(DurableTaskClient durable, OperatorCaller caller, CancellationToken ct = default)
    {
        var results = new Dictionary<string, RedriveResult>();
        await foreach (var letter in letters.ListAsync(ct))
        {
            if (letter.Status == LetterStatus.Parked && results.Count < MaxRedrivesPerCall)
            {
                results[letter.Id] = await RedriveAsync(letter.Id, durable, caller, ct);
            }
        }
        return results;
    }

    public async Task<bool> DiscardAsync(string letterId, string reason, OperatorCaller caller, CancellationToken ct = default) =>
        await letters.ResolveAsync(letterId, LetterStatus.Discarded, $"Discarded by {caller.AuditName}: {reason}", caller.AuditName, ct);

    private async Task<bool> TryRedriveNowAsync(ILaneDelivery delivery, DurableTaskClient durable, CancellationToken ct)
    {
        // poison / MaxDeliveryCountExceeded: handed out too often without being settled, usually by
        // drains during a storage outage (each hand-back counts as a delivery) - worth one more try.
        if (delivery.DeadLetterReason is not ("unknown_order" or "dispatch_failed" or "poison" or "MaxDeliveryCountExceeded")
            || !RetryLane.TryRead(delivery.Body, out var message)
            || await inbox.GetAsync(message!.Provider, message.EventId, ct) is not { Event: { } paymentEvent })
        {
            return false;
        }
        try
        {
            if (await dispatch.ApplyStoredAsync(durable, paymentEvent, ct) == DispatchResult.UnknownOrder)
            {
                return false;
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.RedriveFailed(ex, delivery.MessageId);
            return false;
        }
        log.Redriven(delivery.MessageId);
        return true;
    }

    private async Task<bool> ParkAsync(ILaneDelivery delivery, CancellationToken ct)
    {
        var readable = RetryLane.TryRead(delivery.Body, out var message);
        var letter = new ParkedLetter(
            message?.MessageId ?? delivery.MessageId,
            message?.Provider,
            message?.EventId,
            message?.OrderId,
            delivery.DeadLetterReason ?? "unknown",
            delivery.DeadLetterDescription ?? "",
            message?.Attempt ?? delivery.DeliveryCount,
            LetterStatus.Parked,
            clock.GetUtcNow(),
            Resolution: null,
            ResolvedAt: null,
            RawBody: readable ? null : delivery.Body.ToString());
        var isNew = await letters.ParkAsync(letter, ct);
        if (isNew)
        {
            PipelineMetrics.DeadLettersParked.Add(1, new KeyValuePair<string, object?>("reason", letter.Reason));
            log.DeadLetterParked(letter.Id, letter.OrderId, letter.Reason);
        }
        return isNew;
    }
}
