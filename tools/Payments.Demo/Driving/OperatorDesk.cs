using System.Net.Http.Json;
using System.Text.Json;
using Payments.Contracts;
using Payments.Recovery;

namespace Payments.Demo.Driving;

/// <summary>
/// What an operator does around a run, through the pipeline's own ops endpoints: stock the skus
/// before, and afterwards reconcile the gateway's statement, re-drive parked dead letters, retry parked
/// refunds and run the money monitor.
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
            using (var started = await access.Pipeline.PostAsync($"api/ops/reconciliation/{day:yyyy-MM-dd}", null, ct))
            {
                started.EnsureSuccessStatusCode(); // 202: the run is an orchestration; its report says when it has finished
            }
            reports.Add(await FinishedReportAsync(day, ct));
        }
        return reports;
    }

    /// <summary>Polls <c>GET /api/ops/reconciliation/{date}</c> until the day's run has finished.</summary>
    private async Task<StatementReport> FinishedReportAsync(DateOnly day, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        while (true)
        {
            var report = await access.Pipeline.GetFromJsonAsync<StatementReport>($"api/ops/reconciliation/{day:yyyy-MM-dd}", JsonSerializerOptions.Web, timeout.Token)
                ?? throw new InvalidDataException("Empty reconciliation report.");
            if (report.Finished)
            {
                return report;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
        }
    }

    /// <summary><c>POST /api/ops/monitor/run</c>: the money monitor's run, the same code its timer calls.</summary>
    public async Task<MoneyMonitorReport> RunMoneyMonitorAsync(CancellationToken ct = default)
    {
        using var reply = await access.Pipeline.PostAsync("api/ops/monitor/run", null, ct);
        reply.EnsureSuccessStatusCode();
        return await reply.Content.ReadFromJsonAsync<MoneyMonitorReport>(JsonSerializerOptions.Web, ct) ?? throw new InvalidDataException("Empty money monitor report.");
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

    /// <summary>
    /// Retries every open parked refund (a refund the gateway accepted and then failed, or refused for
    /// good) through <c>POST /api/ops/refunds/{key}/retry</c>, as the console's button does: key → answer status.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> RetryParkedRefundsAsync(CancellationToken ct = default)
    {
        var items = await access.Pipeline.GetFromJsonAsync<List<ParkedRefund>>("api/ops/parked", JsonSerializerOptions.Web, ct) ?? [];
        var answers = new Dictionary<string, int>();
        foreach (var item in items.Where(i => i.Kind == ParkedKinds.RefundFailed && i.Open && i.Refund is not null))
        {
            var key = item.Key ?? item.OrderId;
            using var reply = await access.Pipeline.PostAsync($"api/ops/refunds/{Uri.EscapeDataString(key)}/retry", null, ct);
            answers[key] = (int)reply.StatusCode;
        }
        return answers;
    }

    private sealed record ParkedRefund(string OrderId, string Kind, bool Open, string? Key, JsonElement? Refund);
}
