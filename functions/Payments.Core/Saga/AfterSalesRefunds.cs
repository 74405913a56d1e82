using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Ledger;

namespace Payments.Saga;

/// <summary>The body of <c>POST /api/orders/{orderId}/refunds</c>: how much, why, and the caller's idempotency key.</summary>
public sealed record AfterSalesRefundRequest(long? AmountMinor, string? Reason, string? IdempotencyKey);

/// <summary>What an after-sales refund request came to.</summary>
public abstract record AfterSalesResult
{
    private AfterSalesResult() { }

    /// <summary>Started (or, for a key seen before with the same amount, started earlier): the refund and where it stands.</summary>
    public sealed record Accepted(string OrderId, string RefundKey, long AmountMinor, string Currency, string State, bool Repeated) : AfterSalesResult;

    public sealed record Invalid(IReadOnlyList<string> Errors) : AfterSalesResult;

    public sealed record UnknownOrder : AfterSalesResult;

    /// <summary>The key was used for another amount, or the order is not one a refund after the sale applies to.</summary>
    public sealed record Conflict(string Reason) : AfterSalesResult;

    /// <summary>More than was captured and not yet refunded.</summary>
    public sealed record TooMuch(long RefundableMinor, string Currency) : AfterSalesResult;
}

/// <summary>
/// Refunds after the sale (售后), for the order service and customer service: full or partial, each
/// under the caller's idempotency key, never more than was captured and not yet refunded. The refund
/// runs in its own refund orchestration (<see cref="InstanceId"/>); once the gateway says it is paid,
/// <see cref="RefundFollowUp"/> moves the order to PartiallyRefunded or Refunded and reverses the
/// customer's points in proportion.
/// </summary>
public sealed partial class AfterSalesRefunds(OrderBook orders, MoneyLedger money, PaymentDispatch dispatch)
{
    public static string InstanceId(string orderId, string key) => $"aftersales-{orderId}-{key}";

    public async Task<AfterSalesResult> RequestAsync(DurableTaskClient durable, string orderId, AfterSalesRefundRequest body, CancellationToken ct = default)
    {
        var errors = new List<string>();
        if (!OrderRequest.IsId(orderId))
        {
            errors.Add("orderId: 1-64 letters, digits, '_' or '-'.");
        }
        if (body.AmountMinor is not > 0)
        {
            errors.Add("amountMinor: required, a positive integer in minor units of the order's currency.");
        }
        if (body.Reason is null || !Reason().IsMatch(body.Reason))
        {
            errors.Add("reason: required, 1-64 lower-case letters, digits, '_' or '-' (e.g. customer_return).");
        }
        if (!OrderRequest.IsId(body.IdempotencyKey))
        {
            errors.Add("idempotencyKey: required, 1-64 letters, digits, '_' or '-'; the same key asks for the same refund.");
        }
        if (errors.Count > 0)
        {
            return new AfterSalesResult.Invalid(errors);
        }
        if (await orders.GetAsync(orderId, ct) is not { } order)
        {
            return new AfterSalesResult.UnknownOrder();
        }
        var currency = order.Currency;
        var refund = new RefundRequest(orderId, order.Provider, order.PaymentId, body.AmountMinor!.Value, currency, body.Reason!, 0, body.IdempotencyKey, MoneyInitiators.OrderService);
        var key = refund.IdempotencyKey();
        var movements = await money.ListAsync(orderId, ct);
        if (movements.FirstOrDefault(m => m.Kind == MoneyKinds.Refund && m.RequestKey == body.IdempotencyKey) is { } earlier)
        {
            return earlier.AmountMinor == refund.AmountMinor
                ? new AfterSalesResult.Accepted(orderId, earlier.Key, earlier.AmountMinor, earlier.Currency, earlier.State, Repeated: true)
                : new AfterSalesResult.Conflict($"idempotencyKey {body.IdempotencyKey} was used for a refund of {earlier.AmountMinor} {earlier.Currency}.");
        }
        if (order.Status is not (OrderStatus.Completed or OrderStatus.PartiallyRefunded) || order.PaidAmountMinor is not { } captured)
        {
            return new AfterSalesResult.Conflict($"the order is {order.Status}: only a completed order is refunded after the sale.");
        }
        var refundable = captured - movements.Where(m => m.PaymentId == order.PaymentId && m.CountsAgainstCapture).Sum(m => m.AmountMinor);
        if (refund.AmountMinor > refundable)
        {
            return new AfterSalesResult.TooMuch(Math.Max(refundable, 0), currency);
        }
        await dispatch.StartRefundOnceAsync(durable, InstanceId(orderId, body.IdempotencyKey!), new LatePaymentInput(refund, dispatch.RefundSettings), ct);
        return new AfterSalesResult.Accepted(orderId, key, refund.AmountMinor, currency, nameof(RefundState.Requested), Repeated: false);
    }

    [GeneratedRegex(@"^[a-z0-9_-]{1,64}\z")]
    private static partial Regex Reason();
}
