using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// The periodic safety net: relays stored-but-unapplied callbacks, starts sagas whose registration
/// crashed before starting them, then asks the gateway about orders that have waited for payment
/// suspiciously long, and last settles sagas that crashed (<see cref="CrashedSagaSweep"/>) and refunds
/// that did (<see cref="FailedRefundSweep"/>). The
/// active query closes the gap of a webhook the gateway never sent (or that was lost), well before
/// the saga's own window check.
/// </summary>
public sealed class Reconciler(
    OutboxRelay relay,
    OrderBook orders,
    IPaymentGateway gateway,
    PaymentDispatch dispatch,
    OrderRegistration registration,
    CrashedSagaSweep crashed,
    InboxStore inbox,
    FailedRefundSweep refunds,
    RefundTracker refundTracker,
    IOptions<ReconcilerOptions> options,
    TimeProvider clock,
    ILogger<Reconciler> log)
{
    /// <summary>A raised payment the saga still has not recorded after this long is raised again (the raise may have been lost).</summary>
    private static readonly TimeSpan RaiseAgainAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A run that queries many orders (slow gateway calls) takes seconds or more: before each query the
    /// successes raised since the last look are read (a key range of the raised index), so a payment
    /// raised while the run goes on is not queried as lost either. The overlap covers a raise whose
    /// index row was written just after a read that its time falls before.
    /// </summary>
    private static readonly TimeSpan InboxRefreshAfter = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan InboxRefreshOverlap = TimeSpan.FromSeconds(5);

    /// <summary>Providers whose orders the active query has said it skips: said once per process, not every run.</summary>
    private readonly ConcurrentDictionary<string, bool> notQueryableSaid = new(StringComparer.Ordinal);

    public async Task<ReconcilerReport> RunAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var relayedFrom = clock.GetUtcNow();
        var relayed = await relay.RelayAsync(durable, ct);
        // Only a recent raise holds the query back (as long as the reconciler's own raise does), read before the first query.
        var raisedReadFrom = clock.GetUtcNow() - RaiseAgainAfter;
        var inInbox = await StoredNotYetRelayedAsync(relayedFrom - OutboxRelay.SettleTime, ct);
        var (queried, recovered, started, examined, held, notQueryable) = await QueryStalePaymentsAsync(durable, inInbox, raisedReadFrom, ct);
        var tracked = await refundTracker.TrackAsync(ct);
        var (settled, parked) = await crashed.SweepAsync(durable, ct);
        var (refundsRestarted, refundsParked) = await refunds.SweepAsync(durable, ct);
        return new ReconcilerReport(relayed, queried, recovered, started, examined, settled, parked, refundsRestarted, refundsParked, held, notQueryable, tracked);
    }

    /// <summary>
    /// Successes intake stored since <paramref name="leftToIntakeFrom"/> and could not dispatch: too
    /// young for the relay that just ran (<see cref="OutboxRelay.SettleTime"/>), which applies them next
    /// run, so their orders are not queried as lost. An older row still undispatched is one the relay
    /// failed on, and holds nothing: the query goes ahead. One read of the due index from that time on
    /// (the relay read what comes before), which holds failed dispatches only.
    /// </summary>
    private async Task<HashSet<(string OrderId, string PaymentId)>> StoredNotYetRelayedAsync(DateTimeOffset leftToIntakeFrom, CancellationToken ct)
    {
        var stored = new HashSet<(string OrderId, string PaymentId)>();
        await foreach (var entry in inbox.ListUndispatchedAsync(leftToIntakeFrom, clock.GetUtcNow(), ct))
        {
            if (entry.Event is { Kind: PaymentEventKind.Succeeded } received)
            {
                stored.Add((received.OrderId, received.PaymentId));
            }
        }
        return stored;
    }

    /// <param name="inInbox">
    /// Payments whose success the inbox holds: stored and not yet relayed, or raised to their still running saga less than
    /// <see cref="RaiseAgainAfter"/> ago, as the reconciler's own raise holds it back: a slow saga is not
    /// counted as a recovery. An older raise the saga has still not recorded is queried:
    /// the Durable engine can drop an event raised to an instance whose start it has not processed yet
    /// ("Discarding … No such instance"), and the payment must not wait for the window's end (days, for
    /// some gateways). Read from the raised index from <paramref name="readUpTo"/> on and kept up to date
    /// during the run (<see cref="InboxRefreshAfter"/>).
    /// </param>
    private async Task<(int Queried, int Recovered, int SagasStarted, int Examined, int HeldInInbox, int NotQueryable)> QueryStalePaymentsAsync(
        DurableTaskClient durable, HashSet<(string OrderId, string PaymentId)> inInbox, DateTimeOffset readUpTo, CancellationToken ct)
    {
        int queried = 0, recovered = 0, started = 0, examined = 0, held = 0, notQueryable = 0;
        // Only orders old enough for either check: healing waits out the registration's own start.
        var dueBefore = clock.GetUtcNow() - TimeSpan.FromSeconds(Math.Min(options.Value.ActiveQueryAfterSeconds, OrderRegistration.StartGrace.TotalSeconds));
        await foreach (var order in orders.ListAwaitingPaymentAsync(dueBefore, ct))
        {
            examined++;
            if (await registration.HealAsync(order, durable, ct))
            {
                started++;
            }
            // Not due yet (too young, or queried a short while ago), or recently handed to its saga, which
            // has not recorded it yet (a busy saga lags): no query.
            if (!ActiveQuerySchedule.IsDue(order, clock.GetUtcNow(), options.Value) || order.RecoveryRaisedAt > clock.GetUtcNow() - RaiseAgainAfter)
            {
                continue;
            }
            if (clock.GetUtcNow() - readUpTo > InboxRefreshAfter)
            {
                var now = clock.GetUtcNow();
                await foreach (var entry in inbox.ListRaisedBetweenAsync(readUpTo - InboxRefreshOverlap, now, ct))
                {
                    if (entry.Event is { } raised)
                    {
                        inInbox.Add((raised.OrderId, raised.PaymentId));
                    }
                }
                readUpTo = now;
            }
            if (inInbox.Contains((order.OrderId, order.PaymentId)))
            {
                held++;
                continue;
            }
            // An intake-only gateway cannot be asked: not an error of this order, and no news after the first time.
            if (!gateway.CanQuery(order.Provider))
            {
                notQueryable++;
                if (notQueryableSaid.TryAdd(order.Provider, true))
                {
                    log.ActiveQueryNotAvailable(order.Provider);
                }
                continue;
            }
            if (queried++ >= options.Value.MaxActiveQueriesPerRun)
            {
                break;
            }
            try
            {
                var payment = await gateway.QueryPaymentAsync(new PaymentRef(order.OrderId, order.Provider, order.PaymentId), ct);
                PipelineMetrics.ActiveQueries.Add(1, new KeyValuePair<string, object?>("answer", payment.State.ToString()));
                await NoteQueryAsync(order, payment.State == GatewayPaymentState.Paid ? $"{payment.State} {payment.PaidAmountMinor} {payment.Currency}" : payment.State.ToString(), ct);
                if (payment.State != GatewayPaymentState.Paid)
                {
                    continue;
                }
                var recoveredEvent = PaymentEvent.Recovered("query", order.Provider, order.PaymentId, order.OrderId, payment.PaidAmountMinor, payment.Currency, clock.GetUtcNow());
                if (await dispatch.ApplyAsync(durable, recoveredEvent, ct) is DispatchResult.Raised or DispatchResult.LatePaymentRefund)
                {
                    await orders.MarkRecoveryRaisedAsync(order.OrderId, ct);
                    recovered++;
                    PipelineMetrics.CallbacksRecovered.Add(1, new KeyValuePair<string, object?>("path", "active_query"));
                    log.ActiveQueryRecovered(order.PaymentId, order.OrderId);
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                PipelineMetrics.ActiveQueries.Add(1, new KeyValuePair<string, object?>("answer", "error"));
                log.ActiveQueryFailed(ex, order.OrderId);
                await NoteQueryAsync(order, $"failed: {ex.GetType().Name}", ct);
            }
        }
        return (queried, recovered, started, examined, held, notQueryable);
    }

    /// <summary>
    /// Keeps the query and its answer on the order's row, for the operator's timeline and the next
    /// query's spacing; an outage does not stop the run (the order is then queried again at the next).
    /// </summary>
    private async Task NoteQueryAsync(OrderRecord order, string answer, CancellationToken ct)
    {
        try
        {
            await orders.NoteActiveQueryAsync(order.OrderId, answer, order.ActiveQueries + 1, ct);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex) && !ct.IsCancellationRequested)
        {
            log.ActiveQueryNotNoted(ex, order.OrderId);
        }
    }
}
