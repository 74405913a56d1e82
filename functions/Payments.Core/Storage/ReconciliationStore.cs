using System.Text.Json;
using Azure.Data.Tables;
using Azure;
using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// Reconciliation reports: one partition per statement date, one row per discrepancy keyed by
/// (class, payment id), plus a summary row with the latest run's progress; malformed lines in a
/// partition of their own, keyed by their place in the statement. Every write is idempotent.
/// </summary>
public sealed class ReconciliationStore(PaymentsStorage storage)
{
    private const string SummaryKey = "summary";

    public async Task<bool> ExistsAsync(DateOnly date, DiscrepancyClass kind, string paymentId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        return (await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), Key(kind, paymentId), select: ["RowKey"], cancellationToken: ct)).HasValue;
    }

    /// <summary>The action a pending row stands for until its action is recorded.</summary>
    public const string Pending = "pending";

    /// <summary>
    /// Writes a discrepancy before its action (<see cref="Pending"/>), with what it takes to act on it
    /// again: a chunk that crashes between acting and recording finds the row on its retry and
    /// completes it, so the run's result is the same as if nothing had crashed. The row names the
    /// run that found it, so the run's count of new discrepancies is read from storage, not from
    /// results a dead attempt never returned. False when the row exists.
    /// </summary>
    public async Task<bool> AddPendingAsync(Discrepancy discrepancy, Guid run, int chunk, string lineType, DateTimeOffset occurredAt, CancellationToken ct)
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
                ["Action"] = Pending,
                ["Detail"] = discrepancy.Detail,
                ["Run"] = run.ToString(),
                ["Chunk"] = chunk,
                ["LineType"] = lineType,
                ["OccurredAt"] = occurredAt,
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false; // recorded by an earlier attempt or run: acted on (or being completed) there
        }
    }

    /// <summary>Records the action taken and the run that took it (a run may complete what an earlier, failed run left pending).</summary>
    public async Task CompleteAsync(Discrepancy discrepancy, Guid run, string action, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var row = new TableEntity(Partition(discrepancy.Date), Key(discrepancy.Class, discrepancy.PaymentId)) { ["Action"] = action, ["Run"] = run.ToString() };
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct);
    }

    /// <summary>
    /// Discrepancies written but never completed, with their line's type and time: those of this
    /// run's chunk (its last attempt died between the two), and for chunk 0 also those an earlier run
    /// of the day left behind (that run failed for good; its chunking may have differed, so only one
    /// chunk adopts them), including rows written before pending rows named their run.
    /// </summary>
    /// <remarks>
    /// Chunk 0 reads every pending row of the day and picks on this side: a row without a Run column
    /// matches no comparison on it in a table filter, not even <c>Run ne …</c>, so a filter never
    /// returned those. Pending rows are few (written just before their action), so the read is small.
    /// </remarks>
    public async Task<IReadOnlyList<(Discrepancy Discrepancy, string LineType, DateTimeOffset OccurredAt)>> ListPendingAsync(DateOnly date, Guid run, int chunk, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var id = run.ToString();
        var filter = chunk == 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition(date)} and Action eq {Pending}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition(date)} and Action eq {Pending} and Run eq {id} and Chunk eq {chunk}");
        var list = new List<(Discrepancy, string, DateTimeOffset)>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (chunk == 0 && row.GetString("Run") == id && row.GetInt32("Chunk") is not 0)
            {
                continue; // another chunk of this run: that chunk's own retry completes it
            }
            list.Add((ToDiscrepancy(date, row), row.GetString("LineType") ?? "capture", row.GetDateTimeOffset("OccurredAt") ?? default));
        }
        return list;
    }

    /// <summary>When the day's run began reading the statement, and the gateways it could not read: what the look the other way may judge.</summary>
    public async Task<(DateTimeOffset? StartedAt, IReadOnlyList<StatementSourceFailure> Failures)> GetRunStartAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var summary = await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), SummaryKey, select: ["StartedAt", "SourceFailures"], cancellationToken: ct);
        if (!summary.HasValue)
        {
            return (null, []);
        }
        var failures = summary.Value!.GetString("SourceFailures") is { Length: > 0 } json
            ? JsonSerializer.Deserialize<List<StatementSourceFailure>>(json) ?? []
            : [];
        return (summary.Value.GetDateTimeOffset("StartedAt"), failures);
    }

    /// <summary>A run was asked for: the report reads unfinished until that run finishes.</summary>
    public Task MarkPendingAsync(DateOnly date, CancellationToken ct) =>
        MergeSummaryAsync(date, new() { ["Finished"] = false, ["ChunksDone"] = 0 }, ct);

    /// <summary>
    /// Starts a run's summary: not finished, the chunks the staging reconciled itself done, nothing new
    /// yet, no failure; the gateways whose statement could not be read are listed.
    /// </summary>
    public Task StartRunAsync(DateOnly date, long lines, int chunks, int chunksDone, IReadOnlyList<StatementSourceFailure> failedSources, DateTimeOffset at, CancellationToken ct) =>
        MergeSummaryAsync(date, new()
        {
            ["Lines"] = lines, ["Chunks"] = chunks, ["ChunksDone"] = chunksDone, ["Finished"] = false, ["NewDiscrepancies"] = 0, ["StartedAt"] = at,
            ["SourceFailures"] = JsonSerializer.Serialize(failedSources), ["Failure"] = "",
        }, ct);

    /// <summary>A retry of gateways that could not be read added their lines as further chunks; those still failing are listed.</summary>
    public Task ExtendRunAsync(DateOnly date, long lines, int chunks, IReadOnlyList<StatementSourceFailure> failedSources, CancellationToken ct) =>
        MergeSummaryAsync(date, new() { ["Lines"] = lines, ["Chunks"] = chunks, ["SourceFailures"] = JsonSerializer.Serialize(failedSources) }, ct);

    /// <summary>A run that gave up: finished, with the reason, so a reader of the report is not left polling.</summary>
    public Task FailRunAsync(DateOnly date, string reason, DateTimeOffset at, CancellationToken ct) =>
        MergeSummaryAsync(date, new() { ["Finished"] = true, ["Failure"] = reason, ["LastRunAt"] = at }, ct);

    /// <summary>
    /// A chunk's checkpoint in the summary: the highest chunk finished (chunks run a few at a time, so
    /// for display; the run's own cursor is its Durable history). Never moves backwards.
    /// </summary>
    public async Task SaveProgressAsync(DateOnly date, int chunksDone, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var summary = await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), SummaryKey, select: ["ChunksDone"], cancellationToken: token);
            if (!summary.HasValue)
            {
                await table.UpsertEntityAsync(new TableEntity(Partition(date), SummaryKey) { ["ChunksDone"] = chunksDone }, TableUpdateMode.Merge, token);
            }
            else if ((summary.Value!.GetInt32("ChunksDone") ?? 0) < chunksDone)
            {
                await table.UpdateEntityAsync(new TableEntity(Partition(date), SummaryKey) { ["ChunksDone"] = chunksDone }, summary.Value.ETag, TableUpdateMode.Merge, token);
            }
        }, ct);
    }

    public Task FinishRunAsync(DateOnly date, int newDiscrepancies, int discrepancies, int malformed, DateTimeOffset at, CancellationToken ct) =>
        MergeSummaryAsync(date, new()
        {
            ["Finished"] = true, ["NewDiscrepancies"] = newDiscrepancies, ["Discrepancies"] = discrepancies, ["Malformed"] = malformed, ["LastRunAt"] = at,
        }, ct);

    private async Task MergeSummaryAsync(DateOnly date, Dictionary<string, object> values, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var row = new TableEntity(Partition(date), SummaryKey);
        foreach (var (key, value) in values)
        {
            row[key] = value;
        }
        await table.UpsertEntityAsync(row, TableUpdateMode.Merge, ct);
    }

    /// <summary>Records a malformed line once, however often its chunk is retried.</summary>
    public async Task AddMalformedAsync(MalformedStatementLine line, long position, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        await table.UpsertEntityAsync(new TableEntity(MalformedPartition(line.Date), MalformedKey(position))
        {
            ["LineNumber"] = line.LineNumber,
            ["Reason"] = line.Reason,
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// Withdraws the malformed lines recorded at statement positions [<paramref name="from"/>, <paramref name="to"/>):
    /// positions whose lines are about to be reconciled again, possibly as other lines.
    /// </summary>
    public async Task RemoveMalformedAsync(DateOnly date, long from, long to, CancellationToken ct)
    {
        if (from >= to)
        {
            return;
        }
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var partition = MalformedPartition(date);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {MalformedKey(from)} and RowKey lt {MalformedKey(to)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
        {
            await table.DeleteEntityAsync(partition, row.RowKey, ETag.All, ct);
        }
    }

    public async Task<IReadOnlyList<MalformedStatementLine>> ListMalformedAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var partition = MalformedPartition(date);
        var list = new List<MalformedStatementLine>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct))
        {
            list.Add(new MalformedStatementLine(date, row.GetInt64("LineNumber") ?? 0, row.GetString("Reason") ?? ""));
        }
        return list;
    }

    /// <summary>
    /// What a finishing run reports, counted from storage: the day's discrepancy rows, those this run
    /// acted on (its count of new ones, however often its chunks were retried), and the malformed
    /// lines. One read of each partition, the two side by side, only the columns the counts need.
    /// </summary>
    public async Task<(int Discrepancies, int ActedByRun, int Malformed)> TallyAsync(DateOnly date, Guid run, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var id = run.ToString();
        async Task<(int All, int Acted)> DiscrepanciesAsync()
        {
            var (all, acted) = (0, 0);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(date)} and RowKey ne {SummaryKey}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Action", "Run"], cancellationToken: ct))
            {
                all++;
                if (row.GetString("Run") == id && row.GetString("Action") != Pending)
                {
                    acted++;
                }
            }
            return (all, acted);
        }
        async Task<int> MalformedAsync()
        {
            var count = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {MalformedPartition(date)}"), select: ["RowKey"], cancellationToken: ct))
            {
                count++;
            }
            return count;
        }
        var discrepancies = DiscrepanciesAsync();
        var malformed = MalformedAsync();
        await Task.WhenAll(discrepancies, malformed);
        return ((await discrepancies).All, (await discrepancies).Acted, await malformed);
    }

    public async Task<IReadOnlyList<Discrepancy>> ListAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var partition = Partition(date);
        var list = new List<Discrepancy>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {SummaryKey}"), cancellationToken: ct))
        {
            list.Add(ToDiscrepancy(date, row));
        }
        return list;
    }

    /// <summary>The statement findings that name an order, over every reconciled day (a filtered read, for the operator console).</summary>
    public async Task<IReadOnlyList<Discrepancy>> ListForOrderAsync(string orderId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var list = new List<Discrepancy>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"OrderId eq {orderId}"), cancellationToken: ct))
        {
            if (DateOnly.TryParseExact(row.PartitionKey, "yyyy-MM-dd", out var date))
            {
                list.Add(ToDiscrepancy(date, row));
            }
        }
        return list;
    }

    /// <summary>The latest <paramref name="take"/> reconciled days, newest first, each with its summary (no findings).</summary>
    public async Task<IReadOnlyList<StatementReport>> ListReportsAsync(int take, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var list = new List<StatementReport>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {SummaryKey}"), cancellationToken: ct))
        {
            if (DateOnly.TryParseExact(row.PartitionKey, "yyyy-MM-dd", out var date))
            {
                list.Add(ToReport(date, row, [], []));
            }
        }
        return [.. list.OrderByDescending(r => r.Date).Take(take)];
    }

    /// <summary>Whether the date's latest run has finished: one point read, for pollers.</summary>
    public async Task<bool> IsFinishedAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var summary = await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), SummaryKey, select: ["Finished"], cancellationToken: ct);
        return summary.HasValue && (summary.Value!.GetBoolean("Finished") ?? true);
    }

    /// <summary>The stored report of a date, or null when that date was never reconciled.</summary>
    public async Task<StatementReport?> GetReportAsync(DateOnly date, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Reconciliation, ct);
        var summary = await table.GetEntityIfExistsAsync<TableEntity>(Partition(date), SummaryKey, cancellationToken: ct);
        if (!summary.HasValue)
        {
            return null;
        }
        return ToReport(date, summary.Value!, await ListAsync(date, ct), await ListMalformedAsync(date, ct));
    }

    // A run that gave up is finished too: its Failure and SourceFailures say how, in every view of the report.
    private static StatementReport ToReport(DateOnly date, TableEntity row, IReadOnlyList<Discrepancy> discrepancies, IReadOnlyList<MalformedStatementLine> malformed) =>
        new(date, row.GetInt64("Lines") ?? 0, row.GetInt32("NewDiscrepancies") ?? 0, discrepancies,
            malformed, row.GetBoolean("Finished") ?? true, row.GetInt32("ChunksDone") ?? 0, row.GetInt32("Chunks") ?? 0,
            row.GetString("SourceFailures") is { Length: > 0 } sources ? JsonSerializer.Deserialize<List<StatementSourceFailure>>(sources) : [],
            row.GetString("Failure") is { Length: > 0 } failure ? failure : null);

    private static Discrepancy ToDiscrepancy(DateOnly date, TableEntity row) =>
        new(date, Enum.Parse<DiscrepancyClass>(row.GetString("Class")), row.GetString("PaymentId"), row.GetString("OrderId"),
            row.GetInt64("AmountMinor") ?? 0, row.GetString("Currency"), row.GetString("Action"), row.GetString("Detail"));

    private static string Partition(DateOnly date) => date.ToString("yyyy-MM-dd");

    private static string MalformedPartition(DateOnly date) => Partition(date) + "|malformed";

    /// <summary>A malformed line's row key: its position in the staged statement, zero-padded so keys sort as positions.</summary>
    private static string MalformedKey(long position) => position.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    private static string Key(DiscrepancyClass kind, string paymentId) => $"{kind}:{Uri.EscapeDataString(paymentId)}";
}
