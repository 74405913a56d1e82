using Azure;
using Azure.Data.Tables;

namespace Payments.Storage;

/// <summary>
/// Parked dead letters, one row per lane message id. Rows are never deleted: a re-driven or
/// discarded letter keeps its history for audit.
/// </summary>
public sealed class DeadLetterStore(PaymentsStorage storage, TimeProvider clock)
{
    private const string Partition = "lane";

    /// <summary>Parks a letter unless that message id is already parked (a redelivered dead letter).</summary>
    public async Task<bool> ParkAsync(ParkedLetter letter, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition, Key(letter.Id))
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
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<ParkedLetter?> GetAsync(string id, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Key(id), cancellationToken: ct);
        return row.HasValue ? ToLetter(row.Value!) : null;
    }

    public async IAsyncEnumerable<ParkedLetter> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: ct))
        {
            yield return ToLetter(row);
        }
    }

    /// <summary>
    /// Moves a parked letter to <paramref name="status"/>; false if it was no longer parked. The
    /// ETag makes two concurrent operators' actions resolve the letter once. <paramref name="resolvedBy"/>
    /// is the audit's "who".
    /// </summary>
    public async Task<bool> ResolveAsync(string id, LetterStatus status, string resolution, string resolvedBy, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.DeadLetters, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Key(id), cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetString("Status") != nameof(LetterStatus.Parked))
        {
            return false;
        }
        var entity = row.Value;
        entity["Status"] = status.ToString();
        entity["Resolution"] = Truncate(resolution);
        entity["ResolvedAt"] = clock.GetUtcNow();
        entity["ResolvedBy"] = Truncate(resolvedBy);
        try
        {
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private static string Key(string id) => Uri.EscapeDataString(id);

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
