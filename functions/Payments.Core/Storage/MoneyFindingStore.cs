using Azure;
using Azure.Data.Tables;
using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// The money monitor's findings as its last run left them (table <see cref="TableNames.MoneyFindings"/>):
/// one row per finding, replaced by each run — a new one added, a changed one rewritten (keeping when it
/// was first found), one that no longer holds deleted — and a row with the run's time and counts. The
/// console reads these few rows, never the ledger. A run that changes nothing writes only its run row.
/// </summary>
public sealed class MoneyFindingStore(PaymentsStorage storage)
{
    private const string FindingPartition = "finding";
    private const string RunPartition = "run";
    private const string LastRunKey = "last";

    /// <summary>Makes the stored findings exactly <paramref name="current"/>; returns them with the first time each was found.</summary>
    public async Task<IReadOnlyList<MoneyFinding>> ReplaceAsync(IReadOnlyList<MoneyFinding> current, MoneyMonitorReport summary, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyFindings, ct);
        var stored = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {FindingPartition}"), cancellationToken: ct))
        {
            stored[row.RowKey] = row;
        }
        var kept = new List<MoneyFinding>(current.Count);
        foreach (var finding in current)
        {
            var key = Key(finding);
            var found = stored.Remove(key, out var row) ? finding with { FirstFoundAt = row.GetDateTimeOffset("FirstFoundAt") ?? finding.FirstFoundAt } : finding;
            kept.Add(found);
            if (row is null || row.GetString("Detail") != found.Detail)
            {
                await table.UpsertEntityAsync(ToRow(key, found), TableUpdateMode.Replace, ct);
            }
        }
        foreach (var gone in stored.Values)
        {
            await table.DeleteEntityAsync(gone.PartitionKey, gone.RowKey, ETag.All, ct);
        }
        await table.UpsertEntityAsync(new TableEntity(RunPartition, LastRunKey)
        {
            ["RanAt"] = summary.RanAt,
            ["CapturesWatched"] = summary.CapturesWatched,
            ["CapturesChecked"] = summary.CapturesChecked,
            ["CapturesSettledSinceWatched"] = summary.CapturesSettledSinceWatched,
            ["OpenRefunds"] = summary.OpenRefunds,
            ["CustomersChecked"] = summary.CustomersChecked,
        }, TableUpdateMode.Replace, ct);
        return kept;
    }

    /// <summary>The findings standing now and the run that left them; null when the monitor has never run.</summary>
    public async Task<MoneyMonitorReport?> ReadAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyFindings, ct);
        var run = await table.GetEntityIfExistsAsync<TableEntity>(RunPartition, LastRunKey, cancellationToken: ct);
        if (!run.HasValue)
        {
            return null;
        }
        var findings = new List<MoneyFinding>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {FindingPartition}"), cancellationToken: ct))
        {
            findings.Add(ToFinding(row));
        }
        var last = run.Value!;
        return new MoneyMonitorReport(
            last.GetDateTimeOffset("RanAt") ?? DateTimeOffset.MinValue,
            last.GetInt32("CapturesWatched") ?? 0,
            last.GetInt32("CapturesChecked") ?? 0,
            last.GetInt32("CapturesSettledSinceWatched") ?? 0,
            last.GetInt32("OpenRefunds") ?? 0,
            last.GetInt32("CustomersChecked") ?? 0,
            CountByRule(findings),
            [.. findings.OrderBy(f => f.Since)]);
    }

    /// <summary>Every rule with its count of findings, zero included.</summary>
    public static IReadOnlyDictionary<string, int> CountByRule(IEnumerable<MoneyFinding> findings)
    {
        var counts = MoneyRuleNames.All.ToDictionary(r => r, _ => 0, StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            counts[finding.Rule] = counts.GetValueOrDefault(finding.Rule) + 1;
        }
        return counts;
    }

    private static string Key(MoneyFinding finding) => $"{finding.Rule}~{finding.Subject}";

    private static TableEntity ToRow(string key, MoneyFinding finding) => new(FindingPartition, key)
    {
        ["Rule"] = finding.Rule,
        ["Subject"] = finding.Subject,
        ["OrderId"] = finding.OrderId,
        ["PaymentId"] = finding.PaymentId,
        ["CustomerId"] = finding.CustomerId,
        ["Provider"] = finding.Provider,
        ["AmountMinor"] = finding.AmountMinor,
        ["Currency"] = finding.Currency,
        ["Detail"] = finding.Detail,
        ["Since"] = finding.Since,
        ["FirstFoundAt"] = finding.FirstFoundAt,
    };

    private static MoneyFinding ToFinding(TableEntity row) => new(
        row.GetString("Rule") ?? "",
        row.GetString("Subject") ?? "",
        row.GetString("OrderId"),
        row.GetString("PaymentId"),
        row.GetString("CustomerId"),
        row.GetString("Provider"),
        row.GetInt64("AmountMinor"),
        row.GetString("Currency"),
        row.GetString("Detail") ?? "",
        row.GetDateTimeOffset("Since") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("FirstFoundAt") ?? DateTimeOffset.MinValue);
}
