using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Re-dispatches inbox rows that were stored but never applied: a dispatch that failed at intake
/// (or a crash between storing and dispatching). Rows whose order is still unknown go to the retry lane.
/// Then it takes a second look at successes raised to a running saga: once that saga has ended, each
/// is applied against its outcome (a saga that cancelled without it gets it refunded).
/// </summary>
public sealed class OutboxRelay(InboxStore inbox, PaymentDispatch dispatch, TimeProvider clock, ILogger<OutboxRelay> log)
{
    /// <summary>Rows younger than this are left alone: intake may still be dispatching them.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    public async Task<RelayReport> RelayAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        int relayed = 0, unknown = 0, failed = 0, examined = 0, settled = 0;
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
        return new RelayReport(relayed, unknown, failed, examined, settled);
    }
}
