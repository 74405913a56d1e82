using Azure;
using Azure.Data.Tables;

namespace Payments.Storage;

/// <summary>
/// The callbacks that outran their order, by order id: one row per callback in the order's partition
/// (<c>LaneWaiting</c>), written when a callback goes on the retry lane and removed once it is applied.
/// A registration reads its order's partition (one key-range read) and applies what waits there at
/// once, instead of leaving it to the lane's next back-off. The lane message stays the net: a row lost
/// or left behind costs at most one back-off, never a callback.
/// </summary>
public sealed class LaneWaitingIndex(PaymentsStorage storage)
{
    public async Task AddAsync(string orderId, string provider, string eventId, DateTimeOffset queuedAt, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.LaneWaiting, ct);
        await table.UpsertEntityAsync(new TableEntity(Key(orderId), RowKey(provider, eventId))
        {
            ["Provider"] = provider,
            ["EventId"] = eventId,
            ["QueuedAt"] = queuedAt,
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>The callbacks waiting for <paramref name="orderId"/>: (provider, event id).</summary>
    public async Task<IReadOnlyList<(string Provider, string EventId)>> ListAsync(string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.LaneWaiting, ct);
        var waiting = new List<(string, string)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Key(orderId)}"), select: ["Provider", "EventId"], cancellationToken: ct))
        {
            waiting.Add((row.GetString("Provider"), row.GetString("EventId")));
        }
        return waiting;
    }

    public async Task RemoveAsync(string orderId, string provider, string eventId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.LaneWaiting, ct);
        // A row the other path (registration or lane) removed already is no error: Tables answers 404 quietly.
        await table.DeleteEntityAsync(Key(orderId), RowKey(provider, eventId), ETag.All, ct);
    }

    // Table keys may not hold '/', '#', '?', backslashes or control characters; escaping keeps every id usable.
    private static string Key(string orderId) => Uri.EscapeDataString(orderId);

    private static string RowKey(string provider, string eventId) => Uri.EscapeDataString(provider) + "|" + Uri.EscapeDataString(eventId);
}
