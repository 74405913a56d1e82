using System.Net.Http.Json;
using System.Text.Json;
using Payments.Contracts;
using Payments.Recovery;

namespace Payments.Demo.Driving;

/// <summary>
/// What an operator does around a run, through the pipeline's own ops endpoints: stock the skus
/// before, and afterwards reconcile the gateway's statement and re-drive parked dead letters.
/// </summary>
public sealed class OperatorDesk(PipelineAccess access)
{
    public async Task SetStockAsync(StockPlan stock, CancellationToken ct = default)
    {
        foreach (var (sku, available) in stock.Levels)
        {
            using var reply = await access.Pipeline.PutAsJsonAsync($"api/ops/stock/{sku}", new { available }, ct);
            reply.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Runs the statement reconciliation for every UTC day since <paramref name="since"/> through
    /// <c>POST /api/ops/reconciliation/{date}</c>: the same code the daily timer runs for yesterday.
    /// </summary>
    public async Task<IReadOnlyList<StatementReport>> ReconcileStatementsAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        var reports = new List<StatementReport>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var day = DateOnly.FromDateTime(since.UtcDateTime); day <= today; day = day.AddDays(1))
        {
            using var reply = await access.Pipeline.PostAsync($"api/ops/reconciliation/{day:yyyy-MM-dd}", null, ct);
            reply.EnsureSuccessStatusCode();
            reports.Add(await reply.Content.ReadFromJsonAsync<StatementReport>(JsonSerializerOptions.Web, ct)
                ?? throw new InvalidDataException("Empty reconciliation report."));
        }
        return reports;
    }

    /// <summary><c>POST /api/ops/dead-letters/redrive-all</c>, page after page: letter id → result of every letter tried.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RedriveAllDeadLettersAsync(CancellationToken ct = default)
    {
        var tried = new Dictionary<string, string>();
        string? after = null;
        do
        {
            var uri = "api/ops/dead-letters/redrive-all" + (after is null ? "" : "?after=" + Uri.EscapeDataString(after));
            using var reply = await access.Pipeline.PostAsync(uri, null, ct);
            reply.EnsureSuccessStatusCode();
            var page = await reply.Content.ReadFromJsonAsync<RedrivePage>(JsonSerializerOptions.Web, ct) ?? new RedrivePage([], null);
            foreach (var (id, result) in page.Tried)
            {
                tried[id] = result;
            }
            after = page.Continuation;
        }
        while (after is not null);
        return tried;
    }

    private sealed record RedrivePage(Dictionary<string, string> Tried, string? Continuation);
}
