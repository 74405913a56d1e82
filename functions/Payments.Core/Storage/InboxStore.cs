using System.Text.Json;
using Azure.Data.Tables;
using Azure;
using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// The idempotency gate of intake: one row per (provider, event id), inserted conditionally, so
/// concurrent deliveries of one callback race on the insert and exactly one wins.
/// </summary>
/// <remarks>
/// Beside each row, in the same partition and changed in the same entity-group transaction, sits at
/// most one index row keyed by (state, time): <c>!due|{received}|{id}</c> while the row waits for
/// dispatch, <c>!settled|{expires}|{id}</c> once nothing needs its payload any more. The outbox relay
/// and the purge read a key range of their index and nothing else, so their work grows with what is
/// due, not with history. A queued row (the retry lane or a parked dead letter holds it) has no index
/// row: nothing reads it by range, and the purge cannot reach it.
/// </remarks>
public sealed class InboxStore(PaymentsStorage storage, TimeProvider clock, TimeSpan retention, IReadOnlyCollection<string> providers)
{
    /// <summary>
    /// The largest body the inbox stores: the raw body is a Table binary property, which holds
    /// 64 KiB. Intake's body limit may not exceed it (checked at start-up).
    /// </summary>
    public const int MaxBodyBytes = 64 * 1024;

    // '!' sorts before every character of an escaped event id (letters, digits, "-._~%"), so index
    // rows never mix with callback rows and a range query reads only them.
    private const string IndexMark = "!";
    private const string DuePrefix = IndexMark + "due|";
    private const string SettledPrefix = IndexMark + "settled|";
    private const string RaisedPrefix = IndexMark + "raised|";

    public async Task<InboxAddResult> TryAddAsync(InboxEntry entry, CancellationToken ct = default)
    {
        if (entry.Body.Length > MaxBodyBytes)
        {
            throw new ArgumentException($"A callback body of {entry.Body.Length} bytes is over the {MaxBodyBytes} bytes the inbox can store.", nameof(entry));
        }
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var expiresAt = entry.ReceivedAt + retention;
        var index = IndexKey(entry.State, entry.ReceivedAt, entry.ReceivedAt, expiresAt, entry.EventId);
        var row = new TableEntity(entry.Provider, RowKey(entry.EventId))
        {
            ["EventId"] = entry.EventId,
            ["Body"] = entry.Body,
            ["SignatureHeaders"] = JsonSerializer.Serialize(entry.SignatureHeaders),
            ["ReceivedAt"] = entry.ReceivedAt,
            ["ExpiresAt"] = expiresAt,
            ["State"] = entry.State.ToString(),
            ["EventType"] = entry.EventType,
            ["IndexKey"] = index,
            ["Deliveries"] = entry.Deliveries is { Count: > 0 } deliveries ? JsonSerializer.Serialize(deliveries) : null,
        };
        if (entry.State is InboxState.Raised or InboxState.Dispatched)
        {
            // Stored already applied (intake raised it before storing): stamped as a mark would stamp it.
            row[entry.State + "At"] = entry.ReceivedAt;
        }
        if (entry.Event is { } e)
        {
            row["Kind"] = e.Kind.ToString();
            row["PaymentId"] = e.PaymentId;
            row["OrderId"] = e.OrderId;
            row["AmountMinor"] = e.AmountMinor;
            row["Currency"] = e.Currency;
            row["OccurredAt"] = e.OccurredAt;
            // What keys the movement in the money ledger when the event is applied again from this row (the relay, the lane).
            row["RefundId"] = e.RefundId;
            row["DisputeId"] = e.DisputeId;
        }
        List<TableTransactionAction> actions = [new(TableTransactionActionType.Add, row)];
        if (index.Length > 0)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, IndexRow(entry.Provider, index, entry.EventId)));
        }
        try
        {
            await table.SubmitTransactionAsync(actions, ct);
            return InboxAddResult.Added;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return InboxAddResult.Duplicate;
        }
    }

    public Task MarkDispatchedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Dispatched, from: null, ct);

    public Task MarkRaisedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Raised, from: null, ct);

    /// <summary>
    /// Put on the retry lane. Only a row not yet applied moves: a registration that raced the deferral
    /// may have applied it already (raised or dispatched), and that state must not be undone.
    /// </summary>
    public Task MarkQueuedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Queued, from: [InboxState.Received, InboxState.Queued], ct);

    /// <summary>
    /// An operator discarded the dead letter that held this callback: nothing will apply it any more,
    /// so it becomes settled (and purgeable). A row already settled another way keeps its state.
    /// </summary>
    public Task<bool> MarkDiscardedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Discarded, from: [InboxState.Queued, InboxState.Received, InboxState.Parked], ct);

    /// <summary>
    /// The outbox relay gave up on a row it could not dispatch: parked for an operator (its dead letter
    /// holds the reason). Only a row still waiting for the relay moves; one applied meanwhile stays applied.
    /// </summary>
    public Task<bool> MarkParkedAsync(string provider, string eventId, CancellationToken ct = default) =>
        MarkAsync(provider, eventId, InboxState.Parked, from: [InboxState.Received, InboxState.Raised], ct);

    /// <summary>
    /// Counts one failed relay pass on the row read as <paramref name="read"/> and returns the new count.
    /// A plain merge of one column: the row's state and index are not touched, and a lost count (two relays
    /// at once) only delays the cap by a pass.
    /// </summary>
    public async Task<int> NoteRelayFailureAsync(InboxEntry read, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var failures = read.RelayFailures + 1;
        await table.UpdateEntityAsync(new TableEntity(read.Provider, RowKey(read.EventId)) { ["RelayFailures"] = failures }, ETag.All, TableUpdateMode.Merge, ct);
        return failures;
    }

    /// <summary>
    /// Moves a row that is still as it was stored (<see cref="InboxState.Received"/>, written by
    /// <see cref="TryAddAsync"/> from <paramref name="stored"/>) to <paramref name="state"/> (raised,
    /// dispatched, or queued on the retry lane) without reading it first: its due index row's key follows
    /// from what was stored. One transaction instead of a read and a transaction.
    /// </summary>
    /// <remarks>
    /// The transaction deletes that due index row, which exists only while the row is Received: if
    /// anyone moved the row meanwhile (the outbox relay after its settle time, a registration's nudge),
    /// the delete finds nothing, the whole transaction fails and nothing is written; the row is then
    /// marked the reading way, as it would have been (a queued mark then moves only a row not yet applied).
    /// </remarks>
    public async Task MarkStoredAsync(InboxEntry stored, InboxState state, CancellationToken ct = default)
    {
        var dueIndex = IndexKey(InboxState.Received, stored.ReceivedAt, stored.ReceivedAt, stored.ReceivedAt + retention, stored.EventId);
        if (stored.State != InboxState.Received || state is not (InboxState.Raised or InboxState.Dispatched or InboxState.Queued) || dueIndex.Length == 0)
        {
            throw new ArgumentException($"Only a row as stored (Received) moves to Raised, Dispatched or Queued here, not {stored.State} to {state}.", nameof(state));
        }
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var now = clock.GetUtcNow();
        var newIndex = IndexKey(state, stored.ReceivedAt, now, stored.ReceivedAt + retention, stored.EventId);
        try
        {
            await table.SubmitTransactionAsync(MoveActions(stored.Provider, stored.EventId, state, now, dueIndex, newIndex, ETag.All), ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            await MarkAsync(stored.Provider, stored.EventId, state, from: state == InboxState.Queued ? [InboxState.Received, InboxState.Queued] : null, ct);
        }
    }

    /// <summary>
    /// The relay's second look settled a raised success: moves the row read as <paramref name="raised"/>
    /// (<see cref="InboxState.Raised"/>, with its <see cref="InboxEntry.IndexKey"/>) to Dispatched without
    /// reading it again. As in <see cref="MarkStoredAsync"/>, the transaction deletes the raised index row
    /// read with it: if anyone moved the row meanwhile, that row is gone, the transaction fails, nothing
    /// is written, and the row is marked the reading way.
    /// </summary>
    public async Task MarkRaisedDispatchedAsync(InboxEntry raised, CancellationToken ct = default)
    {
        if (raised.State != InboxState.Raised || raised.IndexKey is not { Length: > 0 } raisedIndex || !raisedIndex.StartsWith(RaisedPrefix, StringComparison.Ordinal))
        {
            await MarkDispatchedAsync(raised.Provider, raised.EventId, ct);
            return;
        }
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var now = clock.GetUtcNow();
        var newIndex = IndexKey(InboxState.Dispatched, raised.ReceivedAt, now, raised.ReceivedAt + retention, raised.EventId);
        try
        {
            await table.SubmitTransactionAsync(MoveActions(raised.Provider, raised.EventId, InboxState.Dispatched, now, raisedIndex, newIndex, ETag.All), ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            await MarkDispatchedAsync(raised.Provider, raised.EventId, ct);
        }
    }

    /// <summary>
    /// The retry lane's apply: moves the row read as <paramref name="read"/> (not yet applied) to
    /// <paramref name="state"/> (raised or dispatched), its index row with it, and appends
    /// <paramref name="delivery"/> to its deliveries, in one entity-group transaction conditional on the
    /// row's ETag as read: one write instead of a read and a write for the mark and another pair for the note.
    /// </summary>
    /// <remarks>
    /// If anyone changed the row since it was read (a registration's nudge applied it, a gateway's duplicate
    /// noted a delivery), the ETag no longer matches, the whole transaction fails and nothing is written; the
    /// row is then marked (as <see cref="MarkDispatchedAsync"/> or <see cref="MarkRaisedAsync"/> would) and
    /// noted the reading way, as it was before this shortcut. False when the row is gone.
    /// </remarks>
    public async Task<bool> MarkReadAppliedAsync(InboxEntry read, InboxState state, CallbackDelivery delivery, CancellationToken ct = default)
    {
        if (state is not (InboxState.Raised or InboxState.Dispatched) || read.State is InboxState.Raised or InboxState.Dispatched)
        {
            throw new ArgumentException($"Only a row not yet applied moves to Raised or Dispatched here, not {read.State} to {state}.", nameof(state));
        }
        if (read.ETag is not { Length: > 0 } etag)
        {
            return await MarkAppliedReadingAsync(read.Provider, read.EventId, state, delivery, ct);
        }
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var now = clock.GetUtcNow();
        var oldIndex = read.IndexKey ?? "";
        var newIndex = IndexKey(state, read.ReceivedAt, now, read.ReceivedAt + retention, read.EventId);
        var deliveries = (read.Deliveries ?? []).Append(delivery).TakeLast(MaxDeliveriesKept);
        var actions = MoveActions(read.Provider, read.EventId, state, now, oldIndex, newIndex, new ETag(etag), JsonSerializer.Serialize(deliveries));
        try
        {
            await table.SubmitTransactionAsync(actions, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return await MarkAppliedReadingAsync(read.Provider, read.EventId, state, delivery, ct);
        }
    }

    private async Task<bool> MarkAppliedReadingAsync(string provider, string eventId, InboxState state, CallbackDelivery delivery, CancellationToken ct) =>
        await MarkAsync(provider, eventId, state, from: null, ct) && await NoteDeliveryAsync(provider, eventId, delivery, ct);

    /// <summary>Moves a row to <paramref name="state"/> and its index row with it, atomically; false when there is no such row (or it is not in <paramref name="from"/>).</summary>
    private async Task<bool> MarkAsync(string provider, string eventId, InboxState state, InboxState[]? from, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(provider, RowKey(eventId), cancellationToken: token);
            if (!found.HasValue || (from is not null && !from.Contains(Enum.Parse<InboxState>(found.Value!.GetString("State")))))
            {
                return false;
            }
            var row = found.Value!;
            var receivedAt = row.GetDateTimeOffset("ReceivedAt") ?? clock.GetUtcNow();
            var oldIndex = row.GetString("IndexKey") ?? "";
            var now = clock.GetUtcNow();
            var newIndex = IndexKey(state, receivedAt, now, row.GetDateTimeOffset("ExpiresAt") ?? receivedAt + retention, eventId);
            await table.SubmitTransactionAsync(MoveActions(provider, eventId, state, now, oldIndex, newIndex, row.ETag), token);
            return true;
        }, ct);
    }

    /// <summary>
    /// The one transaction every mark submits: the row moved to <paramref name="state"/> (its merge
    /// conditional on <paramref name="rowETag"/>), its old index row deleted and its new one written. The
    /// delete of the old index row is what fails the whole transaction when someone moved the row first.
    /// </summary>
    private static List<TableTransactionAction> MoveActions(string provider, string eventId, InboxState state, DateTimeOffset now, string oldIndex, string newIndex, ETag rowETag, string? deliveries = null)
    {
        var patch = new TableEntity(provider, RowKey(eventId))
        {
            ["State"] = state.ToString(),
            [state + "At"] = now,
            ["IndexKey"] = newIndex,
        };
        if (deliveries is not null)
        {
            patch["Deliveries"] = deliveries;
        }
        List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateMerge, patch, rowETag)];
        if (oldIndex.Length > 0 && oldIndex != newIndex)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(provider, oldIndex), ETag.All));
        }
        if (newIndex.Length > 0 && newIndex != oldIndex)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, IndexRow(provider, newIndex, eventId)));
        }
        return actions;
    }

    public async Task<InboxEntry?> GetAsync(string provider, string eventId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(provider, RowKey(eventId), cancellationToken: ct);
        return response.HasValue ? ToEntry(response.Value!) : null;
    }

    /// <summary>
    /// Rows still <see cref="InboxState.Received"/> that arrived before <paramref name="receivedBefore"/>:
    /// a key-range read of each provider's due index, then a point read per due row.
    /// </summary>
    public IAsyncEnumerable<InboxEntry> ListUndispatchedAsync(DateTimeOffset receivedBefore, CancellationToken ct = default) =>
        ListIndexedAsync(DuePrefix, InboxState.Received, from: null, receivedBefore, ct);

    /// <summary>The same, for rows that arrived in [<paramref name="receivedFrom"/>, <paramref name="receivedBefore"/>) only.</summary>
    public IAsyncEnumerable<InboxEntry> ListUndispatchedAsync(DateTimeOffset receivedFrom, DateTimeOffset receivedBefore, CancellationToken ct = default) =>
        ListIndexedAsync(DuePrefix, InboxState.Received, receivedFrom, receivedBefore, ct);

    /// <summary>The index rows of one kind, in time order, up to <paramref name="before"/>: (provider, event id).</summary>
    public IAsyncEnumerable<(string Provider, string EventId)> ReadIndexAsync(string prefix, DateTimeOffset before, CancellationToken ct = default) =>
        ReadIndexAsync(prefix, from: null, before, ct);

    /// <summary>The index rows of one kind, in time order, from <paramref name="from"/> (or the first) up to <paramref name="before"/>.</summary>
    private async IAsyncEnumerable<(string Provider, string EventId)> ReadIndexAsync(string prefix, DateTimeOffset? from, DateTimeOffset before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var lowest = from is { } start ? prefix + Ticks(start) : prefix;
        var upTo = prefix + Ticks(before);
        foreach (var provider in providers)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {provider} and RowKey ge {lowest} and RowKey lt {upTo}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "EventId"], cancellationToken: ct))
            {
                yield return (row.PartitionKey, row.GetString("EventId"));
            }
        }
    }

    /// <summary>The index prefix of rows waiting for dispatch (for tests and operators reading the index).</summary>
    public static string DueIndex => DuePrefix;

    /// <summary>The index prefix of settled rows, by expiry.</summary>
    public static string SettledIndex => SettledPrefix;

    /// <summary>Successes raised to a running saga before <paramref name="raisedBefore"/>, whose settlement is not yet confirmed (read from their index, not a scan).</summary>
    public IAsyncEnumerable<InboxEntry> ListRaisedAsync(DateTimeOffset raisedBefore, CancellationToken ct = default) =>
        ListIndexedAsync(RaisedPrefix, InboxState.Raised, from: null, raisedBefore, ct);

    /// <summary>
    /// Successes raised to a running saga whose raise was recorded in [<paramref name="from"/>, <paramref name="before"/>),
    /// still raised: a key-range read of each provider's raised index from <paramref name="from"/> on, then a point read per row.
    /// </summary>
    public IAsyncEnumerable<InboxEntry> ListRaisedBetweenAsync(DateTimeOffset from, DateTimeOffset before, CancellationToken ct = default) =>
        ListIndexedAsync(RaisedPrefix, InboxState.Raised, from, before, ct);

    /// <summary>The rows an index lists from <paramref name="from"/> (or the first) up to <paramref name="before"/>, read one by one, that are still in <paramref name="state"/>.</summary>
    private async IAsyncEnumerable<InboxEntry> ListIndexedAsync(string prefix, InboxState state, DateTimeOffset? from, DateTimeOffset before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var (provider, eventId) in ReadIndexAsync(prefix, from, before, ct))
        {
            if (await GetAsync(provider, eventId, ct) is { } entry && entry.State == state)
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// Stored callbacks of one provider (or all), received in [<paramref name="from"/>, <paramref name="to"/>):
    /// a query on the partition and the received time, for operators exporting callbacks.
    /// </summary>
    public async IAsyncEnumerable<InboxEntry> ListReceivedAsync(string? provider, DateTimeOffset? from, DateTimeOffset? to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var clauses = new List<string>();
        if (provider is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey eq {provider}"));
        }
        if (from is { } start)
        {
            clauses.Add(TableClient.CreateQueryFilter($"ReceivedAt ge {start}"));
        }
        if (to is { } end)
        {
            clauses.Add(TableClient.CreateQueryFilter($"ReceivedAt lt {end}"));
        }
        var filter = clauses.Count == 0 ? null : string.Join(" and ", clauses);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (!row.RowKey.StartsWith(IndexMark, StringComparison.Ordinal))
            {
                yield return ToEntry(row);
            }
        }
    }

    /// <summary>The stored callbacks with this gateway event id, one point read per provider (for the operator console's search).</summary>
    public async Task<IReadOnlyList<InboxEntry>> FindByEventIdAsync(string eventId, CancellationToken ct = default)
    {
        var found = new List<InboxEntry>();
        foreach (var provider in providers)
        {
            if (await GetAsync(provider, eventId, ct) is { } entry)
            {
                found.Add(entry);
            }
        }
        return found;
    }

    /// <summary>At most this many deliveries are kept per callback (the latest): a gateway retrying for days must not grow a row without bound.</summary>
    public const int MaxDeliveriesKept = 20;

    /// <summary>
    /// Adds a delivery of a stored callback (a gateway's duplicate post, a retry-lane attempt) to its
    /// row, for the operator's timeline. False when the row is gone (purged after its retention).
    /// </summary>
    public async Task<bool> NoteDeliveryAsync(string provider, string eventId, CallbackDelivery delivery, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(provider, RowKey(eventId), select: ["Deliveries"], cancellationToken: token);
            if (!row.HasValue)
            {
                return false;
            }
            var deliveries = row.Value!.GetString("Deliveries") is { } json ? JsonSerializer.Deserialize<List<CallbackDelivery>>(json) ?? [] : [];
            deliveries.Add(delivery);
            var patch = new TableEntity(provider, RowKey(eventId)) { ["Deliveries"] = JsonSerializer.Serialize(deliveries.TakeLast(MaxDeliveriesKept)) };
            await table.UpdateEntityAsync(patch, row.Value.ETag, TableUpdateMode.Merge, token);
            return true;
        }, ct);
    }

    /// <summary>
    /// The stored callbacks that name an order: a filtered read of the whole inbox (no index by order),
    /// for the operator console's timeline, never for the pipeline's own paths.
    /// </summary>
    public async IAsyncEnumerable<InboxEntry> ListForOrderAsync(string orderId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"OrderId eq {orderId}"), cancellationToken: ct))
        {
            if (!row.RowKey.StartsWith(IndexMark, StringComparison.Ordinal))
            {
                yield return ToEntry(row);
            }
        }
    }

    public async IAsyncEnumerable<InboxEntry> ListAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            if (!row.RowKey.StartsWith(IndexMark, StringComparison.Ordinal))
            {
                yield return ToEntry(row);
            }
        }
    }

    /// <summary>
    /// Deletes settled rows (dispatched, ignored, or whose dead letter was discarded) past their
    /// retention; returns how many. Rows the outbox relay, the retry lane or a parked dead letter
    /// still needs have no settled index row, so they keep their payload however old they are.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var purged = 0;
        await foreach (var (provider, eventId) in ReadIndexAsync(SettledPrefix, clock.GetUtcNow(), ct))
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(provider, RowKey(eventId), select: ["PartitionKey", "RowKey", "IndexKey"], cancellationToken: ct);
            if (!row.HasValue)
            {
                continue;
            }
            try
            {
                // The row's ETag: a row that moved on since it was read is left for the next purge.
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Delete, row.Value!, row.Value!.ETag),
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(provider, row.Value.GetString("IndexKey")), ETag.All),
                ], ct);
                purged++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
            }
        }
        return purged;
    }

    /// <summary>
    /// One-off upgrade: gives every row written before the index existed its index row. A scan of the
    /// whole inbox, for an operator to run once after deploying; rows already indexed are left alone.
    /// Returns how many rows it indexed.
    /// </summary>
    public async Task<int> ReindexLegacyRowsAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        var indexed = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey", "EventId", "State", "ReceivedAt", "ExpiresAt", "IndexKey"], cancellationToken: ct))
        {
            if (row.RowKey.StartsWith(IndexMark, StringComparison.Ordinal) || row.GetString("IndexKey") is not null)
            {
                continue;
            }
            var receivedAt = row.GetDateTimeOffset("ReceivedAt") ?? clock.GetUtcNow();
            var eventId = row.GetString("EventId");
            var index = IndexKey(Enum.Parse<InboxState>(row.GetString("State")), receivedAt, receivedAt, row.GetDateTimeOffset("ExpiresAt") ?? receivedAt + retention, eventId);
            List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateMerge, new TableEntity(row.PartitionKey, row.RowKey) { ["IndexKey"] = index }, row.ETag)];
            if (index.Length > 0)
            {
                actions.Add(new(TableTransactionActionType.UpsertReplace, IndexRow(row.PartitionKey, index, eventId)));
            }
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                indexed++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed meanwhile: whoever changed it wrote its index.
            }
        }
        return indexed;
    }

    // Table keys forbid '/', '\', '#', '?' and control characters; escaping keeps every event id storable and distinct.
    private static string RowKey(string eventId) => Uri.EscapeDataString(eventId);

    private static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The index row a row in <paramref name="state"/> has, or "" for none.</summary>
    private static string IndexKey(InboxState state, DateTimeOffset receivedAt, DateTimeOffset changedAt, DateTimeOffset expiresAt, string eventId) => state switch
    {
        InboxState.Received => $"{DuePrefix}{Ticks(receivedAt)}|{RowKey(eventId)}",
        InboxState.Raised => $"{RaisedPrefix}{Ticks(changedAt)}|{RowKey(eventId)}",
        InboxState.Dispatched or InboxState.Ignored or InboxState.Discarded => $"{SettledPrefix}{Ticks(expiresAt)}|{RowKey(eventId)}",
        _ => "",
    };

    private static TableEntity IndexRow(string provider, string indexKey, string eventId) => new(provider, indexKey) { ["EventId"] = eventId };

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
                row.GetDateTimeOffset("OccurredAt") ?? default,
                row.GetString("RefundId") is { Length: > 0 } refundId ? refundId : null,
                DisputeId: row.GetString("DisputeId") is { Length: > 0 } disputeId ? disputeId : null)
            : null;
        return new InboxEntry(
            row.PartitionKey,
            row.GetString("EventId"),
            row.GetBinary("Body"),
            JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString("SignatureHeaders")) ?? [],
            row.GetDateTimeOffset("ReceivedAt") ?? default,
            state,
            paymentEvent,
            row.GetString("EventType"),
            row.GetString("Deliveries") is { } deliveries ? JsonSerializer.Deserialize<List<CallbackDelivery>>(deliveries) : null,
            row.GetString("IndexKey"),
            row.ETag.ToString(),
            row.GetInt32("RelayFailures") ?? 0);
    }
}
