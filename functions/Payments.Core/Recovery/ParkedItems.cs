using Azure.Data.Tables;
using Payments.Hosting;
using Payments.Saga;

namespace Payments.Recovery;

/// <summary>Something the pipeline could not finish by itself, waiting for an operator.</summary>
public sealed record ParkedItem(string OrderId, string Kind, string Reason, string Detail, DateTimeOffset ParkedAt);

/// <summary>
/// Parked work, one row per (order, kind): parking the same problem twice keeps one row with the
/// latest detail, so a retried saga step never floods the operator's list.
/// </summary>
public sealed class ParkedItems(PaymentsStorage storage, TimeProvider clock)
{
    public async Task ParkAsync(ParkRequest request, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        await table.UpsertEntityAsync(new TableEntity(request.Kind, request.OrderId)
        {
            ["Reason"] = request.Reason,
            // Exception messages can be long; keep what fits an operator's screen and a table cell.
            ["Detail"] = request.Detail.Length > 2000 ? request.Detail[..2000] : request.Detail,
            ["ParkedAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
    }

    public async IAsyncEnumerable<ParkedItem> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Parked, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            yield return new ParkedItem(row.RowKey, row.PartitionKey, row.GetString("Reason") ?? "", row.GetString("Detail") ?? "", row.GetDateTimeOffset("ParkedAt") ?? default);
        }
    }
}
