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
    OperatorAudit audit,
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
    public async Task<RedriveResult> RedriveAsync(string letterId, DurableTaskClient durable, OperatorCaller caller, CancellationToken ct = default) =>
        await RedriveAsync(letterId, durable, caller, reason: null, ct);

    /// <summary>An operator's re-drive of one parked letter, with the operator's reason (kept in the audit trail when it applies).</summary>
    public async Task<RedriveResult> RedriveAsync(string letterId, DurableTaskClient durable, OperatorCaller caller, string? reason, CancellationToken ct = default)
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
        if (!await letters.ResolveAsync(letterId, LetterStatus.Redriven, $"Re-driven by {caller.AuditName} at {clock.GetUtcNow():O}." + (reason is null ? "" : $" {reason}"), caller.AuditName, ct))
        {
            return RedriveResult.AlreadyResolved;
        }
        await audit.RecordAsync(caller, "re-drives dead letter", letterId, letter.OrderId, reason, ct);
        return RedriveResult.Applied;
    }

    /// <summary>
    /// Re-drives parked letters oldest first, at most <see cref="MaxRedrivesPerCall"/> tries per call.
    /// A letter with no stored callback is skipped without counting and held, so it never blocks the
    /// letters behind it again; the continuation lets an operator page past letters whose order is
    /// still unknown.
    /// </summary>
    public async Task<RedriveAllReport> RedriveAllAsync(DurableTaskClient durable, OperatorCaller caller, string? after = null, CancellationToken ct = default)
    {
        var tried = new Dictionary<string, RedriveResult>();
        var skipped = new List<SkippedLetter>();
        string? continuation = null;
        await foreach (var (position, letterId) in letters.ListRedrivableAsync(after, ct))
        {
            if (tried.Count == MaxRedrivesPerCall)
            {
                break;
            }
            continuation = position;
            switch (await RedriveAsync(letterId, durable, caller, ct))
            {
                case RedriveResult.NotRedrivable:
                    await letters.HoldAsync(letterId, "no stored callback to re-drive; discard it", ct);
                    skipped.Add(new SkippedLetter(letterId, "no_stored_callback"));
                    break;
                case RedriveResult.AlreadyResolved or RedriveResult.NotFound:
                    skipped.Add(new SkippedLetter(letterId, "already_resolved"));
                    break;
                case var result:
                    tried[letterId] = result;
                    break;
            }
        }
        // Walked to the end: nothing to continue from.
        if (tried.Count < MaxRedrivesPerCall)
        {
            continuation = null;
        }
        return new RedriveAllReport(tried, skipped, continuation, await letters.CountHeldAsync(ct));
    }

    /// <summary>Discards a parked letter; its stored callback then counts as settled, so the inbox purge may remove it after its retention.</summary>
    public async Task<bool> DiscardAsync(string letterId, string reason, OperatorCaller caller, CancellationToken ct = default)
    {
        if (!await letters.ResolveAsync(letterId, LetterStatus.Discarded, $"Discarded by {caller.AuditName}: {reason}", caller.AuditName, ct))
        {
            return false;
        }
        var letter = await letters.GetAsync(letterId, ct);
        await audit.RecordAsync(caller, "discards dead letter", letterId, letter?.OrderId, reason, ct);
        if (letter is { Provider: { } provider, EventId: { } eventId })
        {
            await inbox.MarkDiscardedAsync(provider, eventId, ct);
        }
        return true;
    }

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
        PipelineMetrics.DeadLettersRedriven.Add(1, new KeyValuePair<string, object?>("by", "drain"));
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
