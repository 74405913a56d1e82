using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Functions;

/// <summary>
/// Operator endpoints under <c>/api/ops</c> (the Functions host reserves routes starting with
/// <c>admin</c>): read and adjust a sku's available stock, list parked work; behind the operator sign-in and app role.
/// </summary>
public sealed class OperatorFunctions(StockLedger stock, ParkedItems parked, OperatorAudit audit, IOptions<OperatorAccessOptions> access)
{
    /// <summary>
    /// Sets how many units of a sku are available for new orders; what orders hold (reserved,
    /// committed) is kept. With <c>If-Match</c> (the <c>ETag</c> of a GET or an earlier PUT) the change
    /// applies only if the level has not moved since: 412 otherwise.
    /// </summary>
    [Function("SetStock")]
    public async Task<IActionResult> SetStock(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "ops/stock/{sku}")] HttpRequest request,
        string sku,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        // Strict: a body without "available" (or with it misspelt) must not set the stock to 0.
        var (body, badBody) = await JsonRequest.ReadAsync<StockLevelRequest>(request, "Malformed stock level.", ct, JsonRequest.Strict);
        if (badBody is not null)
        {
            return badBody.StatusCode == 400 ? HttpReply.Problem(400, "Malformed stock level.", errors: [AvailableRule]) : badBody;
        }
        if (body is not { Available: >= 0 } || !OrderRequest.IsId(sku))
        {
            return HttpReply.Problem(400, "Invalid stock level.", errors: [AvailableRule, "sku: 1-64 letters, digits, '_' or '-'."]);
        }
        await audit.RecordAsync(caller, $"sets the available stock to {body.Available} of sku", sku, ct: ct);
        ETag? ifMatch = request.Headers.IfMatch is [{ Length: > 0 } tag] ? new ETag(tag) : null;
        return await stock.SetAvailableAsync(sku, body.Available, ifMatch, ct) is { } level
            ? Level(level)
            : HttpReply.Problem(412, "The stock level changed since it was read.", "Read it again (GET) and retry with its ETag.");
    }

    [Function("GetStock")]
    public async Task<IActionResult> GetStock(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/stock/{sku}")] HttpRequest request,
        string sku,
        CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused ? refused
        : !OrderRequest.IsId(sku) ? HttpReply.Problem(400, "Invalid sku.")
        : await stock.GetVersionedLevelAsync(sku, ct) is { } level ? Level(level)
        : HttpReply.Problem(404, "Unknown sku.");

    [Function("ListParked")]
    public async Task<IActionResult> ListParked(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/parked")] HttpRequest request,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused)
        {
            return refused;
        }
        var items = new List<ParkedItem>();
        await foreach (var item in parked.ListAsync(ct))
        {
            items.Add(item);
        }
        return HttpReply.JsonBody(200, items);
    }

    private static HttpReply Level(VersionedStockLevel level) => HttpReply.JsonBody(200, level.Level).WithHeader("ETag", level.ETag.ToString());

    private const string AvailableRule = "available: required, a non-negative integer; the body has no other field.";

    private sealed record StockLevelRequest(long Available);
}
