using Microsoft.DurableTask.Client;
using Payments.Ledger;

namespace Payments.Saga;

/// <summary>Reads one order's state for the status endpoint.</summary>
public sealed class OrderQuery(OrderBook orders)
{
    public async Task<OrderView?> GetAsync(string orderId, DurableTaskClient durable, CancellationToken ct = default)
    {
        var record = await orders.GetAsync(orderId, ct);
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
