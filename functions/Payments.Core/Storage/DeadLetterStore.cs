using Azure;
using Azure.Data.Tables;

namespace Payments.Storage;

/// <summary>
/// Parked dead letters, one row per lane message id. Rows are never deleted: a re-driven or
/// discarded letter keeps its history for audit.
/// </summary>
/// <remarks>
/// Each parked letter also has one index row in the same partition, changed with it in one
/// entity-group transaction and ordered by the time it was parked: <c>!parked|…</c> while a re-drive
/// may apply it, <c>!held|…</c> once it is known to carry no stored callback (only a discard ends it).
/// Re-drive-all pages through the first range oldest first and never reads history or held letters.
/// </remarks>
public sealed class DeadLetterStore(PaymentsStorage storage, TimeProvider clock)
{
    private const string Partition = "lane";

    // '!' sorts before every character of an escaped id, so index rows never mix with letters.
    private const string IndexMark = "!";
    private const string ParkedPrefix = IndexMark + "parked|";
    private const string HeldPrefix = IndexMark + "held|";

    /// <summary>Parks a letter unless that message id is already parked (a redelivered dead letter).</summary>
    public async Task<bool> ParkAsync(ParkedLetter letter, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        // A letter that names no stored callback can never be re-driven: it waits for a discard only.
        var index = IndexKey(letter.Provider is null || letter.EventId is null ? HeldPrefix : ParkedPrefix, letter.ParkedAt, letter.Id);
        var row = new TableEntity(Partition, Key(letter.Id))
        {
            ["LetterId"] = letter.Id,
            ["Provider"] = letter.Provider,
            ["EventId"] = letter.EventId,
            ["OrderId"] = letter.OrderId,
            ["Reason"] = letter.Reason,
            ["Description"] = Truncate(letter.Description),
            ["Attempts"] = letter.Attempts,
            ["Status"] = letter.Status.ToString(),
            ["ParkedAt"] = letter.ParkedAt,
            ["RawBody"] = letter.RawBody is null ? null : Truncate(letter.RawBody),
            ["Resolution"] = letter.Resolution,
            ["ResolvedAt"] = letter.ResolvedAt,
            ["IndexKey"] = letter.Status == LetterStatus.Parked ? index : "",
        };
        List<TableTransactionAction> actions = [new(TableTransactionActionType.Add, row)];
        if (letter.Status == LetterStatus.Parked)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, index) { ["LetterId"] = letter.Id }));
        }
        try
        {
            await table.SubmitTransactionAsync(actions, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<ParkedLetter?> GetAsync(string id, CancellationToken ct = default)
    {
        if (!IsStorableId(id))
        {
            return null;
        }
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Key(id), cancellationToken: ct);
        return row.HasValue ? ToLetter(row.Value!) : null;
    }

    public async IAsyncEnumerable<ParkedLetter> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
        {
            if (!row.RowKey.StartsWith(IndexMark, StringComparison.Ordinal))
            {
                yield return ToLetter(row);
            }
        }
    }

    /// <summary>
    /// Parked letters a re-drive may apply, oldest first, each with its position; starts after
    /// <paramref name="after"/> (a position this method handed out) when given.
    /// </summary>
    public async IAsyncEnumerable<(string Position, string LetterId)> ListRedrivableAsync(string? after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        var from = after is not null && after.StartsWith(ParkedPrefix, StringComparison.Ordinal) ? after : ParkedPrefix;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {from} and RowKey lt {ParkedPrefix[..^1] + "}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "LetterId"], cancellationToken: ct))
        {
            yield return (row.RowKey, row.GetString("LetterId"));
        }
    }

    /// <summary>How many letters are parked (re-drivable or held): one read of the parked index, never of the letters resolved long ago.</summary>
    public async Task<int> CountParkedAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        // Every index row starts with the mark, and only a parked letter has one.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {IndexMark} and RowKey lt {((char)(IndexMark[0] + 1)).ToString()}");
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
        {
            count++;
        }
        return count;
    }

    /// <summary>How many parked letters are held: known to carry no stored callback, waiting for an operator's discard.</summary>
    public async Task<int> CountHeldAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {HeldPrefix} and RowKey lt {HeldPrefix[..^1] + "}"}");
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
        {
            count++;
        }
        return count;
    }

    /// <summary>
    /// Notes that a parked letter carries no stored callback, so re-drive-all stops walking it; it
    /// stays parked (and listed) until an operator discards it. False if it was no longer parked.
    /// </summary>
    public Task<bool> HoldAsync(string id, string why, CancellationToken ct = default) =>
        ChangeAsync(id, row =>
        {
            row["Held"] = Truncate(why);
            return (row, IndexKey(HeldPrefix, row.GetDateTimeOffset("ParkedAt") ?? clock.GetUtcNow(), id));
        }, ct);

    /// <summary>
    /// Moves a parked letter to <paramref name="status"/>; false if it was no longer parked. The
    /// ETag makes two concurrent operators' actions resolve the letter once. <paramref name="resolvedBy"/>
    /// is the audit's "who".
    /// </summary>
    public Task<bool> ResolveAsync(string id, LetterStatus status, string resolution, string resolvedBy, CancellationToken ct = default) =>
        ChangeAsync(id, row =>
        {
            row["Status"] = status.ToString();
            row["Resolution"] = Truncate(resolution);
            row["ResolvedAt"] = clock.GetUtcNow();
            row["ResolvedBy"] = Truncate(resolvedBy);
            return (row, "");
        }, ct);

    /// <summary>
    /// One-off upgrade: gives every parked letter written before the index existed its index row (a
    /// scan of the table, for an operator to run once after deploying). Returns how many it indexed.
    /// </summary>
    public async Task<int> ReindexLegacyLettersAsync(CancellationToken ct = default)
    {
        var indexed = 0;
        await foreach (var letter in ListAsync(ct))
        {
            var prefix = letter.Provider is null || letter.EventId is null ? HeldPrefix : ParkedPrefix;
            if (letter.Status == LetterStatus.Parked
                && await ChangeAsync(letter.Id, row => (row, IndexKey(prefix, letter.ParkedAt, letter.Id)), ct, onlyIfUnindexed: true))
            {
                indexed++;
            }
        }
        return indexed;
    }

    /// <summary>Changes a parked letter and moves its index row with it, in one transaction guarded by the letter's ETag.</summary>
    private async Task<bool> ChangeAsync(string id, Func<TableEntity, (TableEntity Row, string Index)> change, CancellationToken ct, bool onlyIfUnindexed = false)
    {
        if (!IsStorableId(id))
        {
            return false;
        }
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Key(id), cancellationToken: ct);
        if (!found.HasValue || found.Value!.GetString("Status") != nameof(LetterStatus.Parked)
            || (onlyIfUnindexed && found.Value.GetString("IndexKey") is not null))
        {
            return false;
        }
        var oldIndex = found.Value.GetString("IndexKey") ?? "";
        var (entity, newIndex) = change(found.Value);
        entity["IndexKey"] = newIndex;
        List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateReplace, entity, entity.ETag)];
        if (oldIndex.Length > 0 && oldIndex != newIndex)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(Partition, oldIndex), ETag.All));
        }
        if (newIndex.Length > 0 && newIndex != oldIndex)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, newIndex) { ["LetterId"] = id }));
        }
        try
        {
            await table.SubmitTransactionAsync(actions, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    // Escaping keeps '/', '\', '#', '?' and control characters out of the key.
    private static string Key(string id) => Uri.EscapeDataString(id);

    // A key holds at most 1 KiB; a longer id names no letter (every parked id is a lane message id).
    private static bool IsStorableId(string id) => id.Length > 0 && Key(id).Length <= 512;

    private static string IndexKey(string prefix, DateTimeOffset parkedAt, string id) =>
        $"{prefix}{parkedAt.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)}|{Key(id)}";

    private static string Truncate(string value) => value.Length > 4000 ? value[..4000] : value;

    private static ParkedLetter ToLetter(TableEntity row) => new(
        row.GetString("LetterId"),
        row.GetString("Provider"),
        row.GetString("EventId"),
        row.GetString("OrderId"),
        row.GetString("Reason") ?? "",
        row.GetString("Description") ?? "",
        row.GetInt32("Attempts") ?? 0,
        Enum.Parse<LetterStatus>(row.GetString("Status")),
        row.GetDateTimeOffset("ParkedAt") ?? default,
        row.GetString("Resolution"),
        row.GetDateTimeOffset("ResolvedAt"),
        row.GetString("RawBody"),
        row.GetString("ResolvedBy"));
}
