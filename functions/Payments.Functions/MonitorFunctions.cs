using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Recovery;

namespace Payments.Functions;

/// <summary>
/// The money monitor (<see cref="MoneyMonitor"/>): on its schedule (<c>MoneyMonitorSchedule</c>), and
/// on an operator's word at <c>POST /api/ops/monitor/run</c> (the demo's end of day, a check after a fix).
/// </summary>
public sealed class MonitorFunctions(MoneyMonitor monitor, OperatorAudit audit, IOptions<OperatorAccessOptions> access)
{
    [Function("MoneyMonitor")]
    public Task<MoneyMonitorReport> Run([TimerTrigger("%MoneyMonitorSchedule%")] TimerInfo timer, CancellationToken ct) =>
        monitor.RunAsync(ct);

    [Function("MoneyMonitorRun")]
    public async Task<IActionResult> RunNow(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/monitor/run")] HttpRequest request,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        await audit.RecordAsync(caller, "runs the money monitor", "all", ct: ct);
        return HttpReply.JsonBody(200, await monitor.RunAsync(ct));
    }
}
