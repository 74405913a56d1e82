using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Ledger;

namespace Payments.Saga;

/// <summary>Reads one order's state for the status endpoint.</summary>
public sealed class OrderQuery(OrderBook orders)
{
    public async Task<OrderView?> GetAsync(string orderId, DurableTaskClient durable, CancellationToken ct = default)
    {
        // A value that cannot be an order id names no order (and must not reach a Table key).
        var record = OrderRequest.IsId(orderId) ? await orders.GetAsync(orderId, ct) : null;
        if (record is null)
        {
            return null;
        }
        var instance = await durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true, ct);
        return new OrderView(
            record.OrderId,
            record.Status.ToString(),
            record.Reason,
            instance?.ReadCustomStatusAs<string>() ?? record.Step,
            instance?.RuntimeStatus.ToString(),
            record.AmountMinor,
            record.Currency,
            record.PaidAmountMinor,
            record.PaymentId,
            record.RegisteredAt,
            record.UpdatedAt);
    }
}
