using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Recovery;

/// <summary>
/// A refund accepted is not a refund paid: every refund the money ledger lists as open (requested or
/// pending) is asked about at its gateway with a back-off (<see cref="ReconcilerOptions.RefundFirstCheckSeconds"/>,
/// doubling), until the gateway says it is final; what it says goes through <see cref="RefundFollowUp"/>
/// (a failed or closed refund is parked with its retry). One past its bound is counted and logged as
/// overdue on every look. Reads only the open list, so its cost is the refunds in flight, not history.
/// </summary>
public sealed class RefundTracker(
    MoneyLedger money,
    IPaymentGateway gateway,
    RefundFollowUp followUp,
    IOptions<ReconcilerOptions> options,
    TimeProvider clock,
    ILogger<RefundTracker> log)
{
    public Task<RefundTrackReport> TrackAsync(CancellationToken ct = default) => TrackAsync(StepBudget.Unlimited(clock), ct);

    public async Task<RefundTrackReport> TrackAsync(StepBudget budget, CancellationToken ct = default)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        int asked = 0, finished = 0, overdue = 0, looked = 0;
        var due = new List<OpenRefund>();
        await foreach (var open in money.ListOpenRefundsAsync(now, ct))
        {
            due.Add(open);
            if (due.Count >= settings.MaxActiveQueriesPerRun)
            {
                break;
            }
        }
        foreach (var open in due)
        {
            if (budget.Spent)
            {
                break;
            }
            looked++;
            try
            {
                var age = now - open.ListedAt;
                if (age < TimeSpan.FromSeconds(settings.RefundFirstCheckSeconds))
                {
                    await money.RescheduleAsync(open, open.ListedAt + TimeSpan.FromSeconds(settings.RefundFirstCheckSeconds), asked: false, ct: ct);
                    continue;
                }
                if (await money.FindRefundAsync(open.OrderId, open.Key, null, ct) is not { } refund)
                {
                    await money.RescheduleAsync(open, now + NextInterval(open.Checks, settings), ct: ct);
                    continue;
                }
                if (refund.RefundState is { } known && known.IsFinal())
                {
                    await followUp.ObserveAsync(open.OrderId, open.Key, known, "query", ct: ct); // unlists it
                    continue;
                }
                asked++;
                var answer = await gateway.QueryRefundAsync(new RefundRef(refund.OrderId, refund.Provider, refund.PaymentId, refund.Key, refund.GatewayRefundId), ct);
                if (answer.State != RefundState.Requested)
                {
                    await followUp.ObserveAsync(open.OrderId, open.Key, answer.State, "query", answer.RefundId, ct: ct);
                }
                if (answer.State.IsFinal())
                {
                    finished++;
                    continue;
                }
                if (MoneyRules.IsRefundOverdue(open.ListedAt, now, TimeSpan.FromHours(settings.RefundOverdueAfterHours)))
                {
                    overdue++;
                    PipelineMetrics.RefundsOverdue.Add(1, new KeyValuePair<string, object?>("provider", refund.Provider));
                    log.RefundOverdue(refund.OrderId, refund.Key, refund.Provider, refund.State, age);
                }
                await money.RescheduleAsync(open, now + NextInterval(open.Checks, settings), ct: ct);
            }
            catch (NotSupportedException)
            {
                // An intake-only connector: its notices are the only word; look again far later, without a stack trace per run.
                log.RefundNotQueryable(open.OrderId, open.Key, open.Provider);
                await money.RescheduleAsync(open, now + TimeSpan.FromSeconds(settings.RefundMaxCheckIntervalSeconds), ct: ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.RefundTrackFailed(ex, open.OrderId, open.Key);
                await TryRescheduleAsync(open, now + NextInterval(open.Checks, settings), ct);
            }
        }
        return new RefundTrackReport(due.Count, asked, finished, overdue, due.Count - looked);
    }

    private static TimeSpan NextInterval(int checks, ReconcilerOptions settings) =>
        TimeSpan.FromSeconds(Math.Min(settings.RefundFirstCheckSeconds * Math.Pow(2, Math.Min(checks, 20)), settings.RefundMaxCheckIntervalSeconds));

    private async Task TryRescheduleAsync(OpenRefund open, DateTimeOffset next, CancellationToken ct)
    {
        try
        {
            await money.RescheduleAsync(open, next, ct: ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.RefundTrackFailed(ex, open.OrderId, open.Key); // storage down: the next run finds it due again
        }
    }
}

/// <summary>What one look at the open refunds did: due, asked at the gateway, found final, overdue.</summary>
/// <param name="Left">Due refunds the run's budget did not reach; they stay due for the next run.</param>
public sealed record RefundTrackReport(int Due, int Asked, int Finished, int Overdue, int Left = 0);
