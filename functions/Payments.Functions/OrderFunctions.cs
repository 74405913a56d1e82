using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Functions.Http;
using Payments.Saga;

namespace Payments.Functions;

/// <summary>The order service's side: register an order awaiting payment, read its state.</summary>
public sealed class OrderFunctions(OrderRegistration registration, OrderQuery query)
{
    [Function("RegisterOrder")]
    public async Task<IActionResult> RegisterOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "orders")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        var (order, refused) = await JsonRequest.ReadAsync<OrderRequest>(request, "Malformed order.", ct);
        if (refused is not null)
        {
            return refused;
        }
        return await registration.RegisterAsync(order, durable, ct) switch
        {
            RegistrationResult.Started s => HttpReply.JsonBody(202, new { orderId = s.OrderId, status = "registered" }),
            RegistrationResult.AlreadyRegistered a => HttpReply.JsonBody(200, new { orderId = a.OrderId, status = "already_registered" }),
            RegistrationResult.Conflict c => HttpReply.Problem(409, "Order id already used by a different order.", c.OrderId),
            RegistrationResult.Invalid i => HttpReply.Problem(400, "Invalid order.", errors: i.Errors),
            _ => throw new InvalidOperationException("Unmapped registration result."),
        };
    }

    [Function("GetOrder")]
    public async Task<IActionResult> GetOrder(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "orders/{orderId}")] HttpRequest request,
        string orderId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        await query.GetAsync(orderId, durable, ct) is { } view
            ? HttpReply.JsonBody(200, view)
            : HttpReply.Problem(404, "Unknown order.");
}
