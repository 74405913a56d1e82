using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Functions.Http;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Functions;

/// <summary>The order service's side: register an order awaiting payment, read its state, refund it after the sale.</summary>
public sealed class OrderFunctions(OrderRegistration registration, OrderQuery query, AfterSalesRefunds afterSales, MoneyLedger money)
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

    /// <summary>An after-sales refund (售后), full or partial, under the caller's idempotency key: 202 with where it stands.</summary>
    [Function("RefundOrder")]
    public async Task<IActionResult> RefundOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "orders/{orderId}/refunds")] HttpRequest request,
        string orderId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        var (body, refused) = await JsonRequest.ReadAsync<AfterSalesRefundRequest>(request, "Malformed refund request.", ct, JsonRequest.Strict);
        if (refused is not null)
        {
            return refused;
        }
        return await afterSales.RequestAsync(durable, orderId, body!, ct) switch
        {
            AfterSalesResult.Accepted a => HttpReply.JsonBody(a.Repeated ? 200 : 202,
                new { orderId = a.OrderId, refundKey = a.RefundKey, amountMinor = a.AmountMinor, currency = a.Currency, state = a.State }),
            AfterSalesResult.Invalid i => HttpReply.Problem(400, "Invalid refund request.", errors: i.Errors),
            AfterSalesResult.UnknownOrder => HttpReply.Problem(404, "Unknown order."),
            AfterSalesResult.Conflict c => HttpReply.Problem(409, "Refund refused.", c.Reason),
            AfterSalesResult.TooMuch t => HttpReply.Problem(422, "More than can be refunded.", $"At most {t.RefundableMinor} {t.Currency} is captured and not yet refunded."),
            _ => throw new InvalidOperationException("Unmapped refund result."),
        };
    }

    /// <summary>Every movement of the order's money (captures, refunds and their observations), from the money ledger.</summary>
    [Function("GetOrderMoney")]
    public async Task<IActionResult> GetOrderMoney(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "orders/{orderId}/money")] HttpRequest request,
        string orderId,
        CancellationToken ct) =>
        OrderRequest.IsId(orderId)
            ? HttpReply.JsonBody(200, new { orderId, movements = await money.ListAsync(orderId, ct) })
            : HttpReply.Problem(400, "Invalid order id.");

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
