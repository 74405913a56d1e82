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
/// The periodic safety net, in four steps, each a timer function of its own with its own budget
/// (<see cref="ReconcilerOptions.StepBudgetSeconds"/>), so a slow step never starves another:
/// <see cref="RelayAndQueryAsync"/> relays stored-but-unapplied callbacks, starts sagas whose
/// registration crashed before starting them, then asks the gateway about orders that have waited for
/// payment suspiciously long (closing the gap of a webhook the gateway never sent, or that was lost,
/// well before the saga's own window check); <see cref="TrackRefundsAsync"/> follows open refunds;
/// <see cref="SweepCrashedSagasAsync"/> settles sagas that crashed (<see cref="CrashedSagaSweep"/>) and
/// <see cref="SweepFailedRefundsAsync"/> refunds that did (<see cref="FailedRefundSweep"/>). Each
/// reports what it did and what it left, in its log line and its report's <see cref="ReconcilerReport.Steps"/>.
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

    /// <summary>Every step once, one after another, each on its own budget: the whole recovery tick (tests, the bench).</summary>
    public async Task<ReconcilerReport> RunAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var query = await RelayAndQueryAsync(durable, ct);
        var tracked = await TrackRefundsAsync(ct);
        var swept = await SweepCrashedSagasAsync(durable, ct);
        var restarted = await SweepFailedRefundsAsync(durable, ct);
        return query with
        {
            Refunds = tracked.Refunds,
            CrashedSettled = swept.CrashedSettled,
            CrashedParked = swept.CrashedParked,
            RefundsRestarted = restarted.RefundsRestarted,
            RefundsParked = restarted.RefundsParked,
            Steps = [.. query.Steps!, .. tracked.Steps!, .. swept.Steps!, .. restarted.Steps!],
        };
    }

    public Task<ReconcilerReport> RelayAndQueryAsync(DurableTaskClient durable, CancellationToken ct = default) =>
        RunStepAsync(RecoverySteps.RelayAndQuery, async budget =>
        {
            var relayedFrom = clock.GetUtcNow();
            var relayed = await relay.RelayAsync(durable, ct);
            // Only a recent raise holds the query back (as long as the reconciler's own raise does), read before the first query.
            var raisedReadFrom = clock.GetUtcNow() - RaiseAgainAfter;
            var inInbox = await StoredNotYetRelayedAsync(relayedFrom - OutboxRelay.SettleTime, ct);
            var (queried, recovered, started, examined, held, notQueryable, left) = await QueryStalePaymentsAsync(durable, inInbox, raisedReadFrom, budget, ct);
            var report = new ReconcilerReport(relayed, queried, recovered, started, examined, HeldInInbox: held, NotQueryable: notQueryable);
            return (report, relayed.Examined + examined, relayed.Relayed + relayed.Queued + relayed.Parked + queried + started, left);
        });

    public Task<ReconcilerReport> TrackRefundsAsync(CancellationToken ct = default) =>
        RunStepAsync(RecoverySteps.RefundTracking, async budget =>
        {
            var tracked = await refundTracker.TrackAsync(budget, ct);
            return (new ReconcilerReport(RelayReport.None, 0, 0, Refunds: tracked), tracked.Due, tracked.Asked, tracked.Left);
        });

    public Task<ReconcilerReport> SweepCrashedSagasAsync(DurableTaskClient durable, CancellationToken ct = default) =>
        RunStepAsync(RecoverySteps.CrashedSagas, async budget =>
        {
            var swept = await crashed.SweepAsync(durable, budget, ct);
            return (new ReconcilerReport(RelayReport.None, 0, 0, CrashedSettled: swept.Settled, CrashedParked: swept.Parked), swept.Examined, swept.Settled + swept.Parked, swept.Left);
        });

    public Task<ReconcilerReport> SweepFailedRefundsAsync(DurableTaskClient durable, CancellationToken ct = default) =>
        RunStepAsync(RecoverySteps.FailedRefunds, async budget =>
        {
            var swept = await refunds.SweepAsync(durable, budget, ct);
            return (new ReconcilerReport(RelayReport.None, 0, 0, RefundsRestarted: swept.Settled, RefundsParked: swept.Parked), swept.Examined, swept.Settled + swept.Parked, swept.Left);
        });

    private async Task<ReconcilerReport> RunStepAsync(string step, Func<StepBudget, Task<(ReconcilerReport Report, int Examined, int Acted, int Left)>> run)
    {
        var budget = StepBudget.Start(TimeSpan.FromSeconds(options.Value.StepBudgetSeconds), clock);
        var (report, examined, acted, left) = await run(budget);
        var done = new RecoveryStepReport(step, examined, acted, left, Math.Round(budget.Elapsed.TotalSeconds, 3));
        log.RecoveryStepRan(step, examined, acted, left, done.Seconds);
        if (left > 0)
        {
            log.RecoveryStepBudgetSpent(step, options.Value.StepBudgetSeconds, left);
        }
        return report with { Steps = [done] };
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
    /// <returns>Left is 1 when the run stopped at its query cap or its budget with due orders still unread (the index is read as the run goes), else 0.</returns>
    private async Task<(int Queried, int Recovered, int SagasStarted, int Examined, int HeldInInbox, int NotQueryable, int Left)> QueryStalePaymentsAsync(
        DurableTaskClient durable, HashSet<(string OrderId, string PaymentId)> inInbox, DateTimeOffset readUpTo, StepBudget budget, CancellationToken ct)
    {
        int queried = 0, recovered = 0, started = 0, examined = 0, held = 0, notQueryable = 0, left = 0;
        // Only orders old enough for either check: healing waits out the registration's own start.
        var dueBefore = clock.GetUtcNow() - TimeSpan.FromSeconds(Math.Min(options.Value.ActiveQueryAfterSeconds, OrderRegistration.StartGrace.TotalSeconds));
        await foreach (var order in orders.ListAwaitingPaymentAsync(dueBefore, ct))
        {
            if (budget.Spent)
            {
                left = 1;
                break;
            }
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
                left = 1;
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
        return (queried, recovered, started, examined, held, notQueryable, left);
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
