using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Payments.Functions.Http;
using Payments.Recovery;

namespace Payments.Functions;

/// <summary>One-off upgrade steps an operator runs after a deploy, under <c>/api/ops/maintenance</c>.</summary>
public sealed class MaintenanceFunctions(IndexUpgrade upgrade)
{
    [Function("ReindexLegacyRows")]
    public async Task<IActionResult> Reindex(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/maintenance/reindex")] HttpRequest request,
        CancellationToken ct) =>
        HttpReply.JsonBody(200, await upgrade.RunAsync(ct));
}
