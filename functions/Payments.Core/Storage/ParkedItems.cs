using System.Text.Json;
using Azure.Data.Tables;
using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// Parked work, one row per (kind, item key — the order id unless the request names another key):
/// parking the same problem twice keeps one row with the latest detail, so a retried saga step never
/// floods the operator's list.
/// </summary>
public sealed class ParkedItems(PaymentsStorage storage, TimeProvider clock)
{
    /// <summary>
    /// Parks the item, or parks it again (open once more, no retry claimed: a refund that failed anew).
    /// A request that does not reopen resolved items (<see cref="ParkRequest.ReopenResolved"/>) with the
    /// detail already parked changes nothing, open or resolved: one more look at an old fact is not news
    /// (and a sweep that looks every run writes nothing after its first).
    /// </summary>
    public async Task ParkAsync(ParkRequest request, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        var detail = request.Detail.Length > 2000 ? request.Detail[..2000] : request.Detail;
        if (!request.ReopenResolved
            && await table.GetEntityIfExistsAsync<TableEntity>(request.Kind, request.ItemKey, select: ["Detail"], cancellationToken: ct) is { HasValue: true } existing
            && existing.Value!.GetString("Detail") == detail)
        {
            return;
        }
        await table.UpsertEntityAsync(new TableEntity(request.Kind, request.ItemKey)
        {
            ["OrderId"] = request.OrderId,
            ["Reason"] = request.Reason,
            // Exception messages can be long; keep what fits an operator's screen and a table cell.
            ["Detail"] = detail,
            ["ParkedAt"] = clock.GetUtcNow(),
            ["Refund"] = request.Refund is null ? null : JsonSerializer.Serialize(request.Refund),
            // Parked (again): open for an operator, whatever an earlier resolution said, and no retry claimed for this failure.
            ["Open"] = true,
            [RetryColumn] = "",
        }, TableUpdateMode.Merge, ct);
    }

    public async IAsyncEnumerable<ParkedItem> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            yield return ToItem(row);
        }
    }

    /// <summary>The items of one kind (one partition) parked after <paramref name="parkedAfter"/>.</summary>
    public async IAsyncEnumerable<ParkedItem> ListAsync(string kind, DateTimeOffset parkedAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {kind} and ParkedAt gt {parkedAfter}"), cancellationToken: ct))
        {
            yield return ToItem(row);
        }
    }

    /// <summary>The item of a kind under its key: an order id, or the other key it was parked under.</summary>
    public async Task<ParkedItem?> GetAsync(string kind, string key, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(kind, key, cancellationToken: ct);
        return row.HasValue ? ToItem(row.Value!) : null;
    }

    /// <summary>
    /// Claims the open item for an operator's retry under <paramref name="proposedRetry"/> (a refund
    /// instance id) and returns the retry the item is claimed for: the proposed one, or the one an earlier
    /// or concurrent claim recorded (the claim is an ETag-conditional write, and a claimed item keeps its
    /// retry until it is parked again), so every caller starts the same retry and none starts a second.
    /// Null when the item is resolved.
    /// </summary>
    public async Task<string?> ClaimRetryAsync(string kind, string key, string proposedRetry, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        for (var attempt = 1; ; attempt++)
        {
            var row = (await table.GetEntityAsync<TableEntity>(kind, key, cancellationToken: ct)).Value;
            if (row.GetBoolean("Open") == false)
            {
                return null;
            }
            if (row.GetString(RetryColumn) is { Length: > 0 } claimed)
            {
                return claimed;
            }
            try
            {
                await table.UpdateEntityAsync(new TableEntity(kind, key)
                {
                    [RetryColumn] = proposedRetry,
                    ["OperatorRetries"] = (row.GetInt32("OperatorRetries") ?? 0) + 1,
                }, row.ETag, TableUpdateMode.Merge, ct);
                return proposedRetry;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 412 && attempt < MaxConditionalAttempts)
            {
                // Claimed, resolved or parked again meanwhile: read what it says now.
            }
        }
    }

    /// <summary>
    /// Resolves an item claimed for <paramref name="retry"/> once that retry has started. Left open when the
    /// item was parked again after the claim (a new failure, which clears the claim): that one is still the operator's.
    /// </summary>
    public async Task ResolveRetriedAsync(string kind, string key, string retry, string resolution, string resolvedBy, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        for (var attempt = 1; ; attempt++)
        {
            var row = (await table.GetEntityAsync<TableEntity>(kind, key, cancellationToken: ct)).Value;
            if (row.GetBoolean("Open") == false || row.GetString(RetryColumn) != retry)
            {
                return;
            }
            try
            {
                await table.UpdateEntityAsync(Resolution(kind, key, resolution, resolvedBy), row.ETag, TableUpdateMode.Merge, ct);
                return;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 412 && attempt < MaxConditionalAttempts)
            {
                // Changed meanwhile: look again.
            }
        }
    }

    private const string RetryColumn = "RetryInstance";

    /// <summary>Each 412 means another writer moved the item on; past a few, the caller gets the conflict.</summary>
    private const int MaxConditionalAttempts = 5;

    /// <summary>
    /// An operator's resolution of a parked item (discarded, or a retry started): the row stays, closed,
    /// with who and why. False when no such item is parked. Parking the same problem again reopens it.
    /// </summary>
    public async Task<bool> ResolveAsync(string kind, string key, string resolution, string resolvedBy, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(kind, key, select: ["PartitionKey"], cancellationToken: ct);
        if (!row.HasValue)
        {
            return false;
        }
        await table.UpdateEntityAsync(Resolution(kind, key, resolution, resolvedBy), row.Value!.ETag, TableUpdateMode.Merge, ct);
        return true;
    }

    private TableEntity Resolution(string kind, string key, string resolution, string resolvedBy) => new(kind, key)
    {
        ["Open"] = false,
        ["Resolution"] = resolution.Length > 2000 ? resolution[..2000] : resolution,
        ["ResolvedBy"] = resolvedBy,
        ["ResolvedAt"] = clock.GetUtcNow(),
    };

    private static ParkedItem ToItem(TableEntity row) => new(
        // Rows parked before the key could differ from the order carry no OrderId column: their key is the order.
        row.GetString("OrderId") ?? row.RowKey,
        row.PartitionKey,
        row.GetString("Reason") ?? "",
        row.GetString("Detail") ?? "",
        row.GetDateTimeOffset("ParkedAt") ?? default,
        row.GetString("Refund") is { } refund ? JsonSerializer.Deserialize<RefundRequest>(refund) : null,
        row.GetInt32("OperatorRetries") ?? 0,
        row.RowKey,
        row.GetBoolean("Open") ?? true,
        row.GetString("Resolution"),
        row.GetString("ResolvedBy"),
        row.GetDateTimeOffset("ResolvedAt"));
}
