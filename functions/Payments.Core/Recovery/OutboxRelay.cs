using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Re-dispatches inbox rows that were stored but never applied: a dispatch that failed at intake
/// (or a crash between storing and dispatching). Rows whose order is still unknown go to the retry lane.
/// Then it takes a second look at successes raised to a running saga: once that saga has ended, each
/// is applied against its outcome (a saga that cancelled without it gets it refunded). A row that fails
/// on <see cref="ReconcilerOptions.RelayMaxAttempts"/> passes is parked as a dead letter with its last
/// error and relayed no more; an operator's re-drive can still apply it.
/// </summary>
public sealed class OutboxRelay(InboxStore inbox, PaymentDispatch dispatch, DeadLetterStore letters, IOptions<ReconcilerOptions> options, TimeProvider clock, ILogger<OutboxRelay> log)
{
    /// <summary>Rows younger than this are left alone: intake may still be dispatching them.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    /// <summary>The dead-letter reason of a callback the relay gave up on.</summary>
    public const string ParkedReason = "relay_attempts_exhausted";

    /// <summary>The dead letter of a stored callback the relay parked: one per callback, however often it is parked.</summary>
    public static string LetterId(string provider, string eventId) => $"relay-{provider}-{eventId}";

    public async Task<RelayReport> RelayAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        int relayed = 0, unknown = 0, failed = 0, examined = 0, settled = 0, parked = 0;
        await foreach (var entry in inbox.ListUndispatchedAsync(clock.GetUtcNow() - SettleTime, ct))
        {
            examined++;
            if (entry.Event is not { } paymentEvent)
            {
                continue;
            }
            try
            {
                if (await dispatch.ApplyStoredOrDeferAsync(durable, entry, ct) == DispatchResult.UnknownOrder)
                {
                    unknown++;
                    continue;
                }
                relayed++;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                failed++;
                log.RelayFailed(ex, entry.Provider, entry.EventId);
                if (await CountFailureAsync(entry, ex, ct))
                {
                    parked++;
                }
            }
        }
        // Every raised row, the newest too: a raised row was dispatched already (the settle time is for
        // rows intake may still be dispatching).
        await foreach (var entry in inbox.ListRaisedAsync(clock.GetUtcNow(), ct))
        {
            if (entry.Event is null)
            {
                continue;
            }
            try
            {
                if (await dispatch.SettleRaisedAsync(durable, entry, ct))
                {
                    settled++;
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                failed++;
                log.RelayFailed(ex, entry.Provider, entry.EventId);
                if (await CountFailureAsync(entry, ex, ct))
                {
                    parked++;
                }
            }
        }
        if (relayed > 0)
        {
            PipelineMetrics.OutboxRelayed.Add(relayed);
        }
        if (relayed + unknown + failed > 0)
        {
            log.Relayed(relayed, unknown, failed);
        }
        return new RelayReport(relayed, unknown, failed, examined, settled, parked);
    }

    /// <summary>
    /// Counts a failed pass on the row; at the cap parks it: the dead letter first (with the last error),
    /// then the row, so a pass cut short between the two parks it again next time and finds the letter there.
    /// True when this pass parked it.
    /// </summary>
    private async Task<bool> CountFailureAsync(InboxEntry entry, Exception error, CancellationToken ct)
    {
        try
        {
            var failures = await inbox.NoteRelayFailureAsync(entry, ct);
            if (failures < options.Value.RelayMaxAttempts)
            {
                return false;
            }
            var letter = new ParkedLetter(
                LetterId(entry.Provider, entry.EventId), entry.Provider, entry.EventId, entry.Event?.OrderId, ParkedReason,
                $"{entry.EventType}: the outbox relay failed to dispatch it {failures} times; last: {error.GetType().Name}: {error.Message}",
                failures, LetterStatus.Parked, clock.GetUtcNow(), Resolution: null, ResolvedAt: null, RawBody: null);
            if (await letters.ParkAsync(letter, ct))
            {
                PipelineMetrics.DeadLettersParked.Add(1, new KeyValuePair<string, object?>("reason", ParkedReason));
                log.DeadLetterParked(letter.Id, letter.OrderId, ParkedReason);
            }
            return await inbox.MarkParkedAsync(entry.Provider, entry.EventId, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Storage refusing the count too: the row stays due, and the next pass counts again.
            log.RelayFailed(ex, entry.Provider, entry.EventId);
            return false;
        }
    }
}
