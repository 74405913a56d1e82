using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// The demo's money invariants computed in production, on a timer (<see cref="MoneyRules"/> decides,
/// this reads and stores): every capture past <see cref="MonitorOptions.CaptureSettleMinutes"/> settled,
/// every refund final within <see cref="ReconcilerOptions.RefundOverdueAfterHours"/>, every points
/// balance its grants less its reversals. What breaks a rule is stored (<see cref="MoneyFindingStore"/>,
/// replaced each run) and gauged by rule (<c>payments.money.findings</c>).
/// </summary>
/// <remarks>
/// Its cost stays flat as orders accumulate: it reads the watch list of captures not settled (captures
/// in flight, plus the findings; a capture younger than the bound costs nothing past the list's read),
/// the open-refund list (refunds in flight), and the customers whose points moved since the last run —
/// each a single-partition read whose size is work in flight, never history. A customer is cleared
/// once checked, unless their balance is wrong: they are checked every run until it is mended.
/// </remarks>
public sealed class MoneyMonitor(
    MoneyLedger money,
    OrderBook orders,
    PointsLedger points,
    MoneyFindingStore store,
    IOptions<MonitorOptions> options,
    IOptions<ReconcilerOptions> reconciler,
    TimeProvider clock,
    ILogger<MoneyMonitor> log)
{
    public async Task<MoneyMonitorReport> RunAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var findings = new List<MoneyFinding>();
        var (watched, checkedCaptures, settled) = await CheckCapturesAsync(now, findings, ct);
        var openRefunds = await CheckRefundsAsync(now, findings, ct);
        var customers = await CheckPointsAsync(now, findings, ct);

        var counts = MoneyFindingStore.CountByRule(findings);
        var summary = new MoneyMonitorReport(now, watched, checkedCaptures, settled, openRefunds, customers, counts, findings);
        var stored = await store.ReplaceAsync(findings, summary, ct);
        foreach (var finding in stored.Where(f => f.FirstFoundAt == now))
        {
            log.MoneyFindingNew(finding.Rule, finding.OrderId, finding.CustomerId, finding.Detail);
        }
        foreach (var (rule, count) in counts)
        {
            PipelineMetrics.MoneyFindings.Record(count, new KeyValuePair<string, object?>("rule", rule));
        }
        log.MoneyMonitorRan(watched, checkedCaptures, settled, openRefunds, customers, findings.Count);
        return summary with { Findings = stored };
    }

    private async Task<(int Watched, int Checked, int Settled)> CheckCapturesAsync(DateTimeOffset now, List<MoneyFinding> findings, CancellationToken ct)
    {
        var bound = TimeSpan.FromMinutes(options.Value.CaptureSettleMinutes);
        int watched = 0, looked = 0, settled = 0;
        await foreach (var capture in money.Watch.ListCapturesAsync(ct))
        {
            watched++;
            if (now - capture.CapturedAt < bound)
            {
                continue; // on its way: no read until it is due
            }
            looked++;
            var order = await orders.GetAsync(capture.OrderId, ct);
            var movements = await money.ListAsync(capture.OrderId, ct);
            switch (MoneyRules.JudgeCapture(capture, order, movements, now, bound))
            {
                case MoneyRules.CaptureStanding.Settled:
                    // Settled by a path that does not unlist (an older saga version): unlisted here, once.
                    await money.Watch.UnwatchCaptureAsync(capture.OrderId, capture.PaymentId, ct);
                    settled++;
                    break;
                case MoneyRules.CaptureStanding.Unsettled:
                    findings.Add(MoneyRules.UnsettledCapture(capture, order, movements, now));
                    break;
            }
        }
        return (watched, looked, settled);
    }

    private async Task<int> CheckRefundsAsync(DateTimeOffset now, List<MoneyFinding> findings, CancellationToken ct)
    {
        var bound = TimeSpan.FromHours(reconciler.Value.RefundOverdueAfterHours);
        var open = 0;
        // Every open refund, whenever the tracker asks next: the list is refunds in flight only.
        await foreach (var refund in money.ListOpenRefundsAsync(now.AddYears(100), ct))
        {
            open++;
            if (MoneyRules.IsRefundOverdue(refund.ListedAt, now, bound)
                && MoneyRules.JudgeRefund(refund, await money.FindRefundAsync(refund.OrderId, refund.Key, null, ct), now, bound) is { } finding)
            {
                findings.Add(finding);
            }
        }
        return open;
    }

    private async Task<int> CheckPointsAsync(DateTimeOffset now, List<MoneyFinding> findings, CancellationToken ct)
    {
        var customers = 0;
        await foreach (var customer in money.Watch.ListCustomersAsync(ct))
        {
            customers++;
            var tally = await points.TallyAsync(customer.CustomerId, ct);
            if (!tally.AddsUp)
            {
                // A partition read is not a snapshot across pages: a grant landing mid-read looks like a gap. Read again before saying so.
                tally = await points.TallyAsync(customer.CustomerId, ct);
            }
            if (MoneyRules.JudgePoints(tally, now) is { } finding)
            {
                findings.Add(finding);
                continue;
            }
            await money.Watch.ForgetCustomerAsync(customer, ct);
        }
        return customers;
    }
}
