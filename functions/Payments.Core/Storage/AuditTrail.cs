using Azure.Data.Tables;

namespace Payments.Storage;

/// <summary>
/// The stored audit trail of operator actions. Rows are only added, never changed or deleted; keys
/// sort newest first (inverted ticks), so the console reads the latest actions with one range read.
/// </summary>
public sealed class AuditTrail(PaymentsStorage storage)
{
    private const string Partition = "audit";

    public async Task AddAsync(AuditEntry entry, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OperatorAudit, ct);
        var inverted = (DateTimeOffset.MaxValue.UtcTicks - entry.At.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        await table.AddEntityAsync(new TableEntity(Partition, $"{inverted}|{Guid.NewGuid():N}")
        {
            ["At"] = entry.At,
            ["Operator"] = Cap(entry.Operator),
            ["Action"] = Cap(entry.Action),
            ["Target"] = Cap(entry.Target),
            ["OrderId"] = entry.OrderId,
            ["Reason"] = entry.Reason is null ? null : Cap(entry.Reason),
        }, ct);
    }

    /// <summary>The latest <paramref name="take"/> actions, newest first; with <paramref name="orderId"/>, only that order's.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int take, string? orderId = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OperatorAudit, ct);
        var filter = orderId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and OrderId eq {orderId}");
        var list = new List<AuditEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            list.Add(new AuditEntry(row.GetDateTimeOffset("At") ?? default, row.GetString("Operator") ?? "", row.GetString("Action") ?? "",
                row.GetString("Target") ?? "", row.GetString("OrderId"), row.GetString("Reason")));
            if (list.Count == take)
            {
                break;
            }
        }
        return list;
    }

    private static string Cap(string value) => value.Length > 1000 ? value[..1000] : value;
}
