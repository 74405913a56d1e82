using System.Text.Json;
using Azure.Data.Tables;
using Payments.Storage;

namespace Payments.Operations;

/// <summary>
/// The timeline's lines of Durable instances that retention purged, one row per instance: the console
/// reads a purged saga's steps and outcome from here instead of from a history that no longer exists.
/// </summary>
public sealed class TimelineArchive(PaymentsStorage storage, TimeProvider clock)
{
    /// <summary>A Table string property holds 32K UTF-16 characters; the lines are kept below that.</summary>
    public const int MaxChars = 30_000;

    /// <summary>Lines kept in full on each side when a long history must be cut to fit.</summary>
    private const int KeptAtEachEnd = 25;

    private const string Row = "timeline";

    public async Task KeepAsync(KeptInstance kept, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.TimelineArchive, ct);
        await table.UpsertEntityAsync(new TableEntity(Key(kept.InstanceId), Row)
        {
            ["InstanceId"] = kept.InstanceId,
            ["Entries"] = Fit(kept.Entries),
            ["FromHistory"] = kept.FromHistory,
            ["KeptAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
    }

    public async Task<KeptInstance?> GetAsync(string instanceId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.TimelineArchive, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Key(instanceId), Row, cancellationToken: ct);
        return row.HasValue
            ? new KeptInstance(instanceId, JsonSerializer.Deserialize<List<TimelineEntry>>(row.Value!.GetString("Entries"), JsonSerializerOptions.Web) ?? [], row.Value.GetBoolean("FromHistory") ?? false)
            : null;
    }

    /// <summary>
    /// The lines as JSON, within <see cref="MaxChars"/>: a saga that retried for hours has more lines than
    /// a row holds, so its middle is dropped (and says so), keeping how it started and how it ended.
    /// </summary>
    private static string Fit(IReadOnlyList<TimelineEntry> entries)
    {
        var json = JsonSerializer.Serialize(entries, JsonSerializerOptions.Web);
        if (json.Length <= MaxChars || entries.Count <= 2 * KeptAtEachEnd)
        {
            return json.Length <= MaxChars ? json : JsonSerializer.Serialize(entries.Select(Short), JsonSerializerOptions.Web);
        }
        var dropped = entries.Count - 2 * KeptAtEachEnd;
        var middle = entries[KeptAtEachEnd];
        IEnumerable<TimelineEntry> cut =
        [
            .. entries.Take(KeptAtEachEnd),
            new(middle.At, middle.Source, $"{dropped} lines not kept when the instance was purged", "retention keeps the first and last lines of a long history"),
            .. entries.TakeLast(KeptAtEachEnd),
        ];
        json = JsonSerializer.Serialize(cut, JsonSerializerOptions.Web);
        return json.Length <= MaxChars ? json : JsonSerializer.Serialize(cut.Select(Short), JsonSerializerOptions.Web);
    }

    private static TimelineEntry Short(TimelineEntry e) => e with { Detail = e.Detail.Length > 80 ? e.Detail[..80] + "…" : e.Detail };

    // Instance ids carry payment ids, which may hold characters table keys forbid.
    private static string Key(string instanceId) => Uri.EscapeDataString(instanceId);
}
