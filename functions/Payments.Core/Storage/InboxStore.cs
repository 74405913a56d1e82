using System.Text.Json;
using Azure.Data.Tables;
using Azure;
using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// The idempotency gate of intake: one row per (provider, event id), inserted conditionally, so
/// concurrent deliveries of one callback race on the insert and exactly one wins.
/// </summary>
public sealed class InboxStore(PaymentsStorage storage, TimeProvider clock, TimeSpan retention)
{
    public async Task<InboxAddResult> TryAddAsync(InboxEntry entry, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var row = new TableEntity(entry.Provider, RowKey(entry.EventId))
        {
            ["EventId"] = entry.EventId,
            ["Body"] = entry.Body,
            ["SignatureHeaders"] = JsonSerializer.Serialize(entry.SignatureHeaders),
            ["ReceivedAt"] = entry.ReceivedAt,
            ["ExpiresAt"] = entry.ReceivedAt + retention,
            ["State"] = entry.State.ToString(),
            ["EventType"] = entry.EventType,
        };
        if (entry.Event is { } e)
        {
            row["Kind"] = e.Kind.ToString();
            row["PaymentId"] = e.PaymentId;
            row["OrderId"] = e.OrderId;
            row["AmountMinor"] = e.AmountMinor;
            row["Currency"] = e.Currency;
            row["OccurredAt"] = e.OccurredAt;
        }
        try
        {
            await table.AddEntityAsync(row, ct);
            return InboxAddResult.Added;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return InboxAddResult.Duplicate;
        }
    }

    public Task MarkDispatchedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Dispatched, ct);

    public Task MarkRaisedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Raised, ct);

    public Task MarkQueuedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Queued, ct);

    private async Task MarkAsync(string provider, string eventId, InboxState state, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var patch = new TableEntity(provider, RowKey(eventId))
        {
            ["State"] = state.ToString(),
            [state + "At"] = clock.GetUtcNow(),
        };
        await table.UpdateEntityAsync(patch, ETag.All, TableUpdateMode.Merge, ct);
    }

    public async Task<InboxEntry?> GetAsync(string provider, string eventId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(provider, RowKey(eventId), cancellationToken: ct);
        return response.HasValue ? ToEntry(response.Value!) : null;
    }

    /// <summary>Rows still <see cref="InboxState.Received"/> that arrived before <paramref name="receivedBefore"/>.</summary>
    public async IAsyncEnumerable<InboxEntry> ListUndispatchedAsync(DateTimeOffset receivedBefore, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var filter = TableClient.CreateQueryFilter($"State eq {InboxState.Received.ToString()} and ReceivedAt lt {receivedBefore}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            yield return ToEntry(row);
        }
    }

    /// <summary>Successes raised to a running saga before <paramref name="raisedBefore"/>, whose settlement is not yet confirmed.</summary>
    public async IAsyncEnumerable<InboxEntry> ListRaisedAsync(DateTimeOffset raisedBefore, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var filter = TableClient.CreateQueryFilter($"State eq {InboxState.Raised.ToString()} and RaisedAt lt {raisedBefore}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            yield return ToEntry(row);
        }
    }

    public async IAsyncEnumerable<InboxEntry> ListAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            yield return ToEntry(row);
        }
    }

    /// <summary>Deletes rows past their retention; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var filter = TableClient.CreateQueryFilter($"ExpiresAt lt {clock.GetUtcNow()}");
        var purged = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
            purged++;
        }
        return purged;
    }

    // Table keys forbid '/', '\', '#', '?' and control characters; escaping keeps every event id storable and distinct.
    private static string RowKey(string eventId) => Uri.EscapeDataString(eventId);

    private static InboxEntry ToEntry(TableEntity row)
    {
        var state = Enum.Parse<InboxState>(row.GetString("State"));
        PaymentEvent? paymentEvent = row.GetString("Kind") is { } kind
            ? new PaymentEvent(
                row.PartitionKey,
                row.GetString("EventId"),
                Enum.Parse<PaymentEventKind>(kind),
                row.GetString("PaymentId"),
                row.GetString("OrderId"),
                row.GetInt64("AmountMinor") ?? 0,
                row.GetString("Currency"),
                row.GetDateTimeOffset("OccurredAt") ?? default)
            : null;
        return new InboxEntry(
            row.PartitionKey,
            row.GetString("EventId"),
            row.GetBinary("Body"),
            JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString("SignatureHeaders")) ?? [],
            row.GetDateTimeOffset("ReceivedAt") ?? default,
            state,
            paymentEvent,
            row.GetString("EventType"));
    }
}
