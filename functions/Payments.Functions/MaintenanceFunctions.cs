using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Recovery;

namespace Payments.Functions;

/// <summary>
/// One-off upgrade steps an operator runs after a deploy, under <c>/api/ops/maintenance</c>; behind
/// the operator sign-in and app role like every other operator route.
/// </summary>
public sealed class MaintenanceFunctions(IndexUpgrade upgrade, OperatorAudit audit, IOptions<OperatorAccessOptions> access)
{
    [Function("ReindexLegacyRows")]
    public async Task<IActionResult> Reindex(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/maintenance/reindex")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        await audit.RecordAsync(caller, "re-indexes rows written before the (state, time) indexes", "all", ct: ct);
        return HttpReply.JsonBody(200, await upgrade.RunAsync(durable, ct));
    }
}
