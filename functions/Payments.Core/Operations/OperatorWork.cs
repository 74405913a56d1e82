using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Operations;

/// <summary>
/// The work that needs an operator, for the console: parked dead letters and open parked items,
/// listed and grouped by kind and reason; and the operator's actions on one, selected, or all
/// matching a filter (re-drive, discard with a reason, retry a refund), throttled, with a dry run.
/// Every action goes through the desks that already own it (<see cref="DeadLetterDesk"/>,
/// <see cref="RefundDesk"/>) and into the audit trail.
/// </summary>
public sealed class OperatorWork(
    DeadLetterStore letters,
    ParkedItems parked,
    DeadLetterDesk desk,
    RefundDesk refunds,
    OrderBook orders,
    OperatorAudit audit,
    TimeProvider clock)
{
    public const string DeadLetter = "dead_letter";
    public const string Redrive = "redrive";
    public const string Discard = "discard";
    public const string RetryRefund = "retry_refund";

    /// <summary>At most this many items per bulk run; a larger set is worked through by running again.</summary>
    public const int MaxItemsPerRun = 200;

    /// <summary>A run's throttled actions stay well inside the front end's 230 s request limit.</summary>
    public const int MaxRunSeconds = 180;

    public async Task<IReadOnlyList<WorkItem>> ListAsync(WorkFilter? filter = null, CancellationToken ct = default)
    {
        var items = new List<WorkItem>();
        await foreach (var letter in letters.ListAsync(ct))
        {
            if (letter.Status == LetterStatus.Parked)
            {
                items.Add(new WorkItem(DeadLetter, letter.Id, letter.Reason, letter.OrderId, letter.Provider, letter.Description, letter.ParkedAt,
                    letter.Provider is null || letter.EventId is null ? [Discard] : [Redrive, Discard]));
            }
        }
        await foreach (var item in parked.ListAsync(ct))
        {
            if (item.Open)
            {
                items.Add(new WorkItem(item.Kind, item.Key ?? item.OrderId, item.Reason, item.OrderId, item.Refund?.Provider, item.Detail, item.ParkedAt,
                    item.Kind == ParkedKinds.RefundFailed && item.Refund is not null ? [RetryRefund, Discard] : [Discard]));
            }
        }
        var now = clock.GetUtcNow();
        return [.. items.Where(i => filter is null || filter.Matches(i, now)).OrderBy(i => i.Since)];
    }

    public static IReadOnlyList<WorkGroup> Group(IEnumerable<WorkItem> items, DateTimeOffset now) =>
        [.. items.GroupBy(i => (i.Kind, i.Reason))
            .Select(g => new WorkGroup(g.Key.Kind, g.Key.Reason, g.Count(), g.Min(i => i.Since), Math.Round((now - g.Min(i => i.Since)).TotalMinutes, 1)))
            .OrderByDescending(g => g.Count)];

    /// <summary>
    /// Applies <paramref name="request"/> to each matching item that offers its action, oldest first,
    /// one every 1/<see cref="BulkRequest.PerSecond"/> seconds; a dry run only lists them. The run
    /// itself is audited (with its filter), and each item's action by its desk.
    /// </summary>
    public async Task<BulkReport> RunAsync(BulkRequest request, DurableTaskClient durable, OperatorCaller caller, CancellationToken ct = default)
    {
        var matching = (await ListAsync(request.Filter, ct)).Where(i => i.Actions.Contains(request.Action)).ToList();
        // What the throttle lets through within one HTTP request's time; the rest is left to the next run.
        var chosen = matching.Take(Math.Min(MaxItemsPerRun, (int)Math.Max(1, request.PerSecond * MaxRunSeconds))).ToList();
        var truncated = matching.Count > chosen.Count;
        if (request.DryRun)
        {
            return new BulkReport(request.Action, DryRun: true, matching.Count, truncated,
                [.. chosen.Select(i => new BulkOutcome(i.Id, i.Kind, i.OrderId, "would " + request.Action))]);
        }
        await audit.RecordAsync(caller, $"runs {request.Action} on {chosen.Count} item(s) at {request.PerSecond}/s matching", Describe(request.Filter), reason: request.Reason, ct: ct);
        var pause = TimeSpan.FromSeconds(1 / request.PerSecond);
        var outcomes = new List<BulkOutcome>(chosen.Count);
        foreach (var item in chosen)
        {
            if (outcomes.Count > 0)
            {
                await Task.Delay(pause, clock, ct);
            }
            outcomes.Add(new BulkOutcome(item.Id, item.Kind, item.OrderId, await ApplyAsync(item, request, durable, caller, ct)));
        }
        return new BulkReport(request.Action, DryRun: false, matching.Count, truncated, outcomes);
    }

    private async Task<string> ApplyAsync(WorkItem item, BulkRequest request, DurableTaskClient durable, OperatorCaller caller, CancellationToken ct)
    {
        if (item.Kind == DeadLetter)
        {
            return request.Action == Redrive
                ? (await desk.RedriveAsync(item.Key, durable, caller, request.Reason, ct)).ToString()
                : await desk.DiscardAsync(item.Key, request.Reason!, caller, ct) ? "Discarded" : "AlreadyResolved";
        }
        var orderId = item.OrderId!;
        // A parked item's key: its order id, or for a refund its orchestration's instance id (an order can have several refunds).
        var key = item.Key;
        if (request.Action == RetryRefund)
        {
            // The same operation as POST /api/ops/refunds/{key}/retry: it resolves the item and audits the outcome.
            return (await refunds.RetryAsync(key, durable, caller, request.Reason, ct)).Result switch
            {
                RefundRetryResult.Started => "RefundRetryStarted",
                RefundRetryResult.AlreadyResolved => "AlreadyResolved",
                _ => "NotParked",
            };
        }
        if (!await parked.ResolveAsync(item.Kind, key, $"discarded: {request.Reason}", caller.AuditName, ct))
        {
            return "NotParked";
        }
        await audit.RecordAsync(caller, $"discards parked {item.Kind} of order", orderId, orderId, request.Reason, ct);
        return "Discarded";
    }

    /// <summary>
    /// The live counts: orders by state (the status column of the read model), the parked dead letters
    /// (their index) and the open parked items. Read through <see cref="LiveCountsCache"/>, not per refresh.
    /// </summary>
    public async Task<LiveCounts> CountAsync(CancellationToken ct = default)
    {
        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (status, count) in await orders.CountByStatusAsync(ct))
        {
            byStatus[status.ToString()] = count;
        }
        var openItems = 0;
        await foreach (var item in parked.ListAsync(ct))
        {
            openItems += item.Open ? 1 : 0;
        }
        return new LiveCounts(clock.GetUtcNow(), byStatus, byStatus.Values.Sum(), await letters.CountParkedAsync(ct), openItems);
    }

    private static string Describe(WorkFilter filter) => filter.Ids is { Count: > 0 } ids
        ? $"ids [{string.Join(", ", ids.Take(20))}{(ids.Count > 20 ? ", …" : "")}]"
        : $"kind={filter.Kind ?? "*"} reason={filter.Reason ?? "*"} provider={filter.Provider ?? "*"} olderThanMinutes={filter.OlderThanMinutes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*"}";
}
