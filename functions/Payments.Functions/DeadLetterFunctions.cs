using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Functions;

/// <summary>
/// Operator endpoints for recovery under <c>/api/ops</c>: dead letters (list, re-drive one or all,
/// discard), parked refunds (retry), and reconciliation reports (read, run now). Each checks the
/// operator's sign-in and app role first (<see cref="OperatorPrincipal"/>); actions record the caller.
/// </summary>
public sealed class DeadLetterFunctions(
    DeadLetterDesk desk,
    DeadLetterStore letters,
    OrderBook orders,
    RefundDesk refunds,
    StatementReconciler statements,
    ReconciliationStore reports,
    OperatorAudit audit,
    IOptions<OperatorAccessOptions> access)
{
    [Function("ListDeadLetters")]
    public async Task<IActionResult> ListDeadLetters(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/dead-letters")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused)
        {
            return refused;
        }
        var items = new List<object>();
        await foreach (var letter in letters.ListAsync(ct))
        {
            // A letter parked before intake checked order ids may name one no order can have (nor a saga instance).
            var orderId = OrderRequest.IsId(letter.OrderId) ? letter.OrderId : null;
            var order = orderId is null ? null : await orders.GetAsync(orderId, ct);
            var saga = orderId is null ? null : await durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), ct);
            items.Add(new { letter, orderStatus = order?.Status.ToString(), sagaInstanceId = saga?.InstanceId, sagaStatus = saga?.RuntimeStatus.ToString() });
        }
        return HttpReply.JsonBody(200, items);
    }

    [Function("RedriveDeadLetter")]
    public async Task<IActionResult> Redrive(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/dead-letters/{id}/redrive")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out var caller) ?? ToReply(id, await desk.RedriveAsync(Uri.UnescapeDataString(id), durable, caller, ct));

    [Function("RedriveAllDeadLetters")]
    public async Task<IActionResult> RedriveAll(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/dead-letters/redrive-all")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        var report = await desk.RedriveAllAsync(durable, caller, request.Query["after"].FirstOrDefault(), ct);
        return HttpReply.JsonBody(200, new
        {
            tried = report.Tried.ToDictionary(r => r.Key, r => r.Value.ToString()),
            skipped = report.Skipped,
            continuation = report.Continuation,
            heldForDiscard = report.HeldForDiscard,
        });
    }

    [Function("DiscardDeadLetter")]
    public async Task<IActionResult> Discard(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/dead-letters/{id}/discard")] HttpRequest request,
        string id,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        var (body, badBody) = await JsonRequest.ReadAsync<DiscardRequest>(request, "A reason is required to discard a dead letter.", ct);
        if (badBody is { StatusCode: 413 })
        {
            return badBody;
        }
        if (string.IsNullOrWhiteSpace(body?.Reason))
        {
            return HttpReply.Problem(400, "A reason is required to discard a dead letter.", errors: ["reason: required."]);
        }
        return await desk.DiscardAsync(Uri.UnescapeDataString(id), body.Reason, caller, ct)
            ? HttpReply.JsonBody(200, new { id, status = "discarded" })
            : HttpReply.Problem(409, "Not a parked dead letter.", id);
    }

    /// <summary>
    /// Retries the parked refund under <paramref name="key"/> (the key the console shows: the refund's
    /// instance id, or the order id of an item parked before refunds were keyed by instance). An
    /// optional JSON body <c>{"reason": …}</c> (with a JSON content type) goes into the audit and the item's resolution.
    /// </summary>
    [Function("RetryParkedRefund")]
    public async Task<IActionResult> RetryRefund(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/refunds/{key}/retry")] HttpRequest request,
        string key,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        var (body, badBody) = request.HasJsonContentType()
            ? await JsonRequest.ReadAsync<RetryRequest>(request, "A JSON body must read {\"reason\": \"…\"}; or send none.", ct)
            : (null, null);
        if (badBody is not null)
        {
            return badBody;
        }
        var retry = await refunds.RetryAsync(key, durable, caller, body?.Reason, ct);
        return retry.Result switch
        {
            RefundRetryResult.Started => HttpReply.JsonBody(202, new { key, status = "refund_retry_started", retry.InstanceId }),
            RefundRetryResult.AlreadyResolved => HttpReply.Problem(409, "This parked refund is already resolved (a retry was started, or it was discarded).", key),
            _ => HttpReply.Problem(404, "No parked refund under this key.", key),
        };
    }

    [Function("GetReconciliationReport")]
    public async Task<IActionResult> GetReport(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/reconciliation/{date}")] HttpRequest request,
        string date,
        CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused ? refused
        : !TryDate(date, out var day) ? HttpReply.Problem(400, "Date must be yyyy-MM-dd.")
        : await reports.GetReportAsync(day, ct) is { } report ? HttpReply.JsonBody(200, report)
        : HttpReply.Problem(404, "That date has not been reconciled.");

    [Function("RunReconciliation")]
    public async Task<IActionResult> RunReconciliation(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/reconciliation/{date}")] HttpRequest request,
        string date,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        if (!TryDate(date, out var day))
        {
            return HttpReply.Problem(400, "Date must be yyyy-MM-dd.");
        }
        await audit.RecordAsync(caller, "runs the statement reconciliation of", date, ct: ct);
        var run = await statements.StartAsync(durable, day, ct);
        // 202 at once: the run is an orchestration (statement-{date}); its report, with its progress, is at the Location.
        var location = $"/api/ops/reconciliation/{date}";
        return HttpReply.JsonBody(202, new { run.InstanceId, run.AlreadyRunning, statusLocation = location }).WithHeader("Location", location);
    }

    private static bool TryDate(string value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static HttpReply ToReply(string id, RedriveResult result) => result switch
    {
        RedriveResult.Applied => HttpReply.JsonBody(200, new { id, status = "redriven" }),
        RedriveResult.AlreadyResolved => HttpReply.JsonBody(200, new { id, status = "already_resolved" }),
        RedriveResult.NotFound => HttpReply.Problem(404, "No such dead letter.", id),
        RedriveResult.StillUnknownOrder => HttpReply.Problem(409, "The order is still unknown; register it first.", id),
        _ => HttpReply.Problem(409, "This dead letter carries no stored callback to re-drive; discard it.", id),
    };

    private sealed record DiscardRequest(string? Reason);

    private sealed record RetryRequest(string? Reason);
}
