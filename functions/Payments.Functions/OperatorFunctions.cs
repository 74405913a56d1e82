using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Functions;

/// <summary>
/// Operator endpoints under <c>/api/ops</c> (the Functions host reserves routes starting with
/// <c>admin</c>): set a sku's stock level, list parked work; behind the operator sign-in and app role.
/// </summary>
public sealed class OperatorFunctions(StockLedger stock, ParkedItems parked, OperatorAudit audit, IOptions<OperatorAccessOptions> access)
{
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
        var (ok, body) = await JsonRequest.TryReadAsync<StockLevelRequest>(request, ct);
        if (!ok)
        {
            return HttpReply.Problem(400, "Malformed stock level.");
        }
        if (body is not { Available: >= 0 } || string.IsNullOrWhiteSpace(sku) || sku.Length > 64)
        {
            return HttpReply.Problem(400, "Invalid stock level.", errors: ["available: a non-negative integer."]);
        }
        audit.Record(caller, $"sets the stock level to {body.Available} of sku", sku);
        await stock.SetLevelAsync(sku, body.Available, ct);
        return HttpReply.JsonBody(200, await stock.GetLevelAsync(sku, ct) ?? throw new InvalidOperationException("Level vanished."));
    }

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

    private sealed record StockLevelRequest(long Available);
}
