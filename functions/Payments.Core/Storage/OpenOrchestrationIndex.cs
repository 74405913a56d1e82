using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace Payments.Storage;

/// <summary>
/// The orchestrations a recovery sweep may have to settle, by kind and start time: a row is written
/// before a saga or a refund orchestration is scheduled, and deleted by its sweep once the sweep has
/// seen the instance end and settled it. A sweep reads the rows started before its grace and looks
/// at each instance by id; it never lists the Durable Instances table by status, which is a scan of
/// every order ever. So a sweep's reads grow with the work still open, not with history.
/// </summary>
public sealed class OpenOrchestrationIndex(PaymentsStorage storage, TimeProvider clock)
{
    /// <summary>Order sagas (<c>order-…</c>).</summary>
    public const string Sagas = "saga";

    /// <summary>Refund orchestrations the failed-refund sweep restarts (<c>refund-…</c>).</summary>
    public const string Refunds = "refund";

    private const string InstanceColumn = "InstanceId";

    private long rowsRead;

    /// <summary>Index rows read by <see cref="ListAsync"/> since start (for tests and diagnostics).</summary>
    public long RowsRead => Interlocked.Read(ref rowsRead);

    /// <summary>Indexes an orchestration about to be scheduled now (or, for the upgrade, created at <paramref name="startedAt"/>). Idempotent per (time, id).</summary>
    public async Task AddAsync(string kind, string instanceId, DateTimeOffset? startedAt = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OpenOrchestrations, ct);
        await table.UpsertEntityAsync(new TableEntity(kind, Key(startedAt ?? clock.GetUtcNow(), instanceId)) { [InstanceColumn] = instanceId }, TableUpdateMode.Replace, ct);
    }

    /// <summary>The rows of <paramref name="kind"/> started before <paramref name="startedBefore"/>, oldest first: one key-range read.</summary>
    public async IAsyncEnumerable<OpenOrchestration> ListAsync(string kind, DateTimeOffset startedBefore, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OpenOrchestrations, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {kind} and RowKey lt {Ticks(startedBefore)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", InstanceColumn], cancellationToken: ct))
        {
            Interlocked.Increment(ref rowsRead);
            yield return new OpenOrchestration(kind, row.RowKey, row.GetString(InstanceColumn) ?? "", StartedAt(row.RowKey));
        }
    }

    /// <summary>The sweep is done with this row: the instance ended and was settled, or there is nothing to settle.</summary>
    public async Task RemoveAsync(OpenOrchestration row, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OpenOrchestrations, ct);
        await table.DeleteEntityAsync(row.Kind, row.RowKey, ETag.All, ct);
    }

    /// <summary>Where the one-off upgrade that indexes the instances started before this index got to, per kind: its listing's continuation, or done.</summary>
    public async Task<(string? Continuation, bool Done)> ReadBackfillAsync(string kind, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OpenOrchestrations, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(BackfillPartition, kind, cancellationToken: ct);
        return row.HasValue ? (row.Value!.GetString("Continuation"), row.Value.GetBoolean("Done") == true) : (null, false);
    }

    public async Task SaveBackfillAsync(string kind, string? continuation, bool done, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.OpenOrchestrations, ct);
        await table.UpsertEntityAsync(new TableEntity(BackfillPartition, kind) { ["Continuation"] = continuation, ["Done"] = done }, TableUpdateMode.Replace, ct);
    }

    // Sorts apart from the kinds' partitions; never read by a sweep.
    private const string BackfillPartition = "~backfill";

    // "{ticks}|{instance id}": range-readable by start time, unique per instance and start.
    private static string Key(DateTimeOffset startedAt, string instanceId) => $"{Ticks(startedAt)}|{instanceId}";

    private static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    private static DateTimeOffset StartedAt(string rowKey) =>
        long.TryParse(rowKey.AsSpan(0, Math.Min(19, rowKey.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : DateTimeOffset.MinValue;
}
