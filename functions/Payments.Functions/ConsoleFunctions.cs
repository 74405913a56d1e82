using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Operations;
using Payments.Storage;

namespace Payments.Functions;

/// <summary>
/// The operator console at <c>/api/ops/console</c>: a static page and script (embedded, no build
/// chain) and the JSON it reads under <c>/api/ops/console/…</c> — search, one timeline per order,
/// the waiting work grouped, bulk actions with a dry run, the audit trail, reconciliation reports,
/// the money monitor's findings, live counts (cached server-side, shared by every tab). Behind the operator sign-in like every <c>/api/ops</c> route; the JSON routes also need the function key.
/// </summary>
public sealed class ConsoleFunctions(
    TimelineReader timelines,
    OperatorWork work,
    LiveCountsCache counts,
    AuditTrail audit,
    ReconciliationStore reports,
    MoneyFindingStore money,
    TimeProvider clock,
    IOptions<OperatorAccessOptions> access)
{
    // The page and its files hold no data and need no function key (Anonymous), so no key has to ride
    // on their URLs; in Azure they stay behind the App Service sign-in like every /api/ops route.
    // The script takes a ?code= once and sends it as x-functions-key on the data calls below.
    [Function("ConsolePage")]
    public IActionResult Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ops/console")] HttpRequest request) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? ConsoleAsset.Serve("index.html")!;

    [Function("ConsoleAsset")]
    public IActionResult Asset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ops/console/assets/{name}")] HttpRequest request, string name) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? ConsoleAsset.Serve(name) ?? HttpReply.Problem(404, "No such console file.");

    [Function("ConsoleSearch")]
    public async Task<IActionResult> Search([HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/search")] HttpRequest request, CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? HttpReply.JsonBody(200, await timelines.SearchAsync(request.Query["q"].FirstOrDefault() ?? "", ct));

    [Function("ConsoleTimeline")]
    public async Task<IActionResult> Timeline(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/timeline/{orderId}")] HttpRequest request,
        string orderId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _)
        ?? (await timelines.ReadAsync(orderId, durable, ct) is { } timeline ? HttpReply.JsonBody(200, timeline) : HttpReply.Problem(404, "No such order.", orderId));

    [Function("ConsoleCallbackBody")]
    public async Task<IActionResult> CallbackBody(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/callbacks/{provider}/{eventId}/body")] HttpRequest request,
        string provider,
        string eventId,
        CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _)
        ?? (await timelines.RawBodyAsync(provider, Uri.UnescapeDataString(eventId), ct) is { } body
            ? new HttpReply(200, "text/plain; charset=utf-8", body)
            : HttpReply.Problem(404, "No stored callback (it may have been purged after its retention)."));

    [Function("ConsoleWork")]
    public async Task<IActionResult> Work([HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/work")] HttpRequest request, CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused)
        {
            return refused;
        }
        var items = await work.ListAsync(ct: ct);
        return HttpReply.JsonBody(200, new { groups = OperatorWork.Group(items, clock.GetUtcNow()), items });
    }

    [Function("ConsoleAction")]
    public async Task<IActionResult> Act(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/console/actions")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        var (body, badBody) = await JsonRequest.ReadAsync<BulkRequest>(request, "Malformed action.", ct);
        if (badBody is { StatusCode: 413 })
        {
            return badBody;
        }
        if (badBody is not null || body is null || body.Filter is null)
        {
            return HttpReply.Problem(400, "Malformed action.", "Send {action, filter, reason?, perSecond?, dryRun?}.");
        }
        return body.Validate() is { Count: > 0 } errors
            ? HttpReply.Problem(400, "Invalid action.", errors: errors)
            : HttpReply.JsonBody(200, await work.RunAsync(body, durable, caller, ct));
    }

    [Function("ConsoleAudit")]
    public async Task<IActionResult> Audit([HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/audit")] HttpRequest request, CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? HttpReply.JsonBody(200, await audit.ListAsync(200, request.Query["orderId"].FirstOrDefault(), ct));

    [Function("ConsoleReports")]
    public async Task<IActionResult> Reports([HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/reports")] HttpRequest request, CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? HttpReply.JsonBody(200, await reports.ListReportsAsync(31, ct));

    /// <summary>What breaks a money rule now, as the money monitor's last run stored it (a few rows, never the ledger); null before its first run.</summary>
    [Function("ConsoleMoney")]
    public async Task<IActionResult> Money([HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/money")] HttpRequest request, CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? HttpReply.JsonBody(200, MoneyPanel.From(await money.ReadAsync(ct)));

    [Function("ConsoleLive")]
    public async Task<IActionResult> Live([HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/console/live")] HttpRequest request, CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) ?? HttpReply.JsonBody(200, await counts.GetAsync(ct));
}
