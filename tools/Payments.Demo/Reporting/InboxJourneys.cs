using Azure.Data.Tables;
using Payments.Storage;

namespace Payments.Demo.Reporting;

/// <summary>
/// Reads the inbox rows' timestamps: a row that was marked Queued (its order was unknown) and later
/// Dispatched is a callback the retry lane, or a re-drive of its dead letter, delivered.
/// </summary>
public static class InboxJourneys
{
    public static async Task<(int Queued, int QueuedThenDispatched)> CountAsync(PaymentsStorage storage, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Inbox, ct);
        int queued = 0, applied = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["QueuedAt", "DispatchedAt"], cancellationToken: ct))
        {
            if (row.ContainsKey("QueuedAt") && row["QueuedAt"] is not null)
            {
                queued++;
                if (row.ContainsKey("DispatchedAt") && row["DispatchedAt"] is not null)
                {
                    applied++;
                }
            }
        }
        return (queued, applied);
    }
}
