using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Payments.Functions.Http;
using Payments.Hosting;

namespace Payments.Functions;

/// <summary>
/// <c>GET /api/health</c>: 200 when every configured provider and connector can serve, 503 naming the
/// setting that keeps one from serving; <c>configured</c> lists the gateways this deployment uses (the
/// others' components say <c>NotConfigured</c>). Anonymous, so probes and the availability test need no
/// key; it shows setting names and states, never values.
/// </summary>
public sealed class HealthFunctions(SecretsHealth health)
{
    [Function("Health")]
    public IActionResult Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        var report = health.Check();
        return HttpReply.JsonBody(report.IsHealthy ? 200 : 503, new { status = report.Status, configured = report.Configured, components = report.Components });
    }
}
