using Azure.Data.Tables;
using Azure;
using Payments.Contracts;

namespace Payments.Storage;

/// <summary>Reconciliation reports: one partition per statement date, one row per discrepancy, plus a summary row.</summary>
public sealed class ReconciliationStore(PaymentsStorage storage)
{
    private const string SummaryKey = "summary";

    public async Task<bool> ExistsAsync(DateOnly date, DiscrepancyClass kind, string paymentId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        return (await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), Key(kind, paymentId), select: ["RowKey"], cancellationToken: ct)).HasValue;
    }

    public async Task AddAsync(Discrepancy discrepancy, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition(discrepancy.Date), Key(discrepancy.Class, discrepancy.PaymentId))
            {
                ["Class"] = discrepancy.Class.ToString(),
                ["PaymentId"] = discrepancy.PaymentId,
                ["OrderId"] = discrepancy.OrderId,
                ["AmountMinor"] = discrepancy.AmountMinor,
                ["Currency"] = discrepancy.Currency,
                ["Action"] = discrepancy.Action,
                ["Detail"] = discrepancy.Detail,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A concurrent run recorded it first; its action was idempotent too.
        }
    }

    public async Task SaveSummaryAsync(DateOnly date, long lines, int discrepancies, DateTimeOffset at, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        await table.UpsertEntityAsync(new TableEntity(Partition(date), SummaryKey)
        {
            ["Lines"] = lines,
            ["Discrepancies"] = discrepancies,
            ["LastRunAt"] = at,
        }, TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<Discrepancy>> ListAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var partition = Partition(date);
        var list = new List<Discrepancy>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition && e.RowKey != SummaryKey, cancellationToken: ct))
        {
            list.Add(new Discrepancy(date, Enum.Parse<DiscrepancyClass>(row.GetString("Class")), row.GetString("PaymentId"), row.GetString("OrderId"),
                row.GetInt64("AmountMinor") ?? 0, row.GetString("Currency"), row.GetString("Action"), row.GetString("Detail")));
        }
        return list;
    }

    /// <summary>The stored report of a date, or null when that date was never reconciled.</summary>
    public async Task<StatementReport?> GetReportAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var summary = await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), SummaryKey, cancellationToken: ct);
        return summary.HasValue
            ? new StatementReport(date, summary.Value!.GetInt64("Lines") ?? 0, 0, await ListAsync(date, ct))
            : null;
    }

    private static string Partition(DateOnly date) => date.ToString("yyyy-MM-dd");

    private static string Key(DiscrepancyClass kind, string paymentId) => $"{kind}:{Uri.EscapeDataString(paymentId)}";
}
