using System.Diagnostics;
using Azure.Data.Tables;
using Payments.Storage;

namespace Payments.Demo.Driving;

/// <summary>
/// An order-service outage (<c>--Demo:OutageSeconds</c>): registrations planned inside the outage are
/// held until it ends, then all sent at once, while payments and their webhooks go on. Their
/// callbacks outrun their orders and wait on the retry lane. Meanwhile the lane is sampled: the peak
/// number of callbacks waiting for their order, and how long after registrations resumed the last
/// callback of a held order was applied (the issue's target: within twice the outage's length).
/// </summary>
public sealed class OrderServiceOutage(PaymentsStorage storage, TimeSpan start, TimeSpan length)
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(500);

    private readonly TaskCompletionSource resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> heldOrders = new();
    private int held, peakWaiting;
    private long peakQueued;
    private TimeSpan? drainedAfter;

    public TimeSpan Start => start;

    public TimeSpan End => start + length;

    /// <summary>True for a registration planned while the order service is down.</summary>
    public bool Holds(TimeSpan plannedAt) => plannedAt >= start && plannedAt < End;

    /// <summary>Runs a held registration once the order service is back.</summary>
    public async Task AfterOutageAsync(string orderId, Func<Task> register)
    {
        Interlocked.Increment(ref held);
        heldOrders[orderId] = false;
        await resumed.Task;
        await register();
        heldOrders[orderId] = true;
    }

    /// <summary>Ends the outage on time, then samples the lane until nothing waits for its order.</summary>
    public async Task RunAsync(Stopwatch clock, CancellationToken ct)
    {
        var lane = await storage.QueueAsync(QueueName, ct);
        var waiting = await storage.TableAsync(TableNames.LaneWaiting, ct);
        while (clock.Elapsed < End)
        {
            await SampleAsync(lane, waiting, ct);
            await Task.Delay(SampleEvery, ct);
        }
        resumed.TrySetResult();
        var resumedAt = clock.Elapsed;
        while (!ct.IsCancellationRequested)
        {
            // Drained: every held registration went through, and no callback of a held order waits any more
            // (callbacks of orders outside the outage come and go as usual and are not counted).
            var waitingForHeld = await SampleAsync(lane, waiting, ct, heldOnly: true);
            if (waitingForHeld == 0 && heldOrders.Values.All(done => done))
            {
                drainedAfter = clock.Elapsed - resumedAt;
                return;
            }
            await Task.Delay(SampleEvery, ct);
        }
    }

    /// <summary>The lane's queue name as the pipeline configures it (local settings: <c>retry-lane</c>).</summary>
    public string QueueName { get; init; } = "retry-lane";

    private async Task<int> SampleAsync(Azure.Storage.Queues.QueueClient lane, TableClient waiting, CancellationToken ct, bool heldOnly = false)
    {
        // A callback counts while its inbox row is not applied yet: an entry can outlive its callback
        // by a moment (applied, not yet removed), and then it waits for nothing.
        var inbox = await storage.TableAsync(TableNames.Inbox, ct);
        var count = 0;
        await foreach (var entry in waiting.QueryAsync<TableEntity>(select: ["PartitionKey", "Provider", "EventId"], cancellationToken: ct))
        {
            if (heldOnly && !heldOrders.ContainsKey(Uri.UnescapeDataString(entry.PartitionKey)))
            {
                continue;
            }
            var row = await inbox.GetEntityIfExistsAsync<TableEntity>(entry.GetString("Provider"), Uri.EscapeDataString(entry.GetString("EventId")), select: ["State"], cancellationToken: ct);
            if (row.HasValue && row.Value!.GetString("State") is nameof(InboxState.Queued) or nameof(InboxState.Received))
            {
                count++;
            }
        }
        var queued = (await lane.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        peakWaiting = Math.Max(peakWaiting, count);
        peakQueued = Math.Max(peakQueued, queued);
        return count;
    }

    /// <summary>The report line.</summary>
    public string Summary() =>
        $"Order-service outage {length.TotalSeconds:F0} s from {start.TotalSeconds:F0} s: {held} registrations held; retry lane peak {peakWaiting} callbacks waiting for their order "
        + $"({peakQueued} lane messages); " + (drainedAfter is { } drained
            ? $"drained {drained.TotalSeconds:F1} s after registrations resumed ({(DrainedInTime ? "within" : "OVER")} 2x the outage)"
            : "NOT drained");

    /// <summary>Every held registration went through and no callback of a held order waits any more.</summary>
    public bool Drained => drainedAfter is not null;

    public bool DrainedInTime => drainedAfter is { } drained && drained <= 2 * length;
}
