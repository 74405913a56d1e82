using Payments.Contracts;

namespace Payments.Ledger;

/// <summary>What the ledger says about an order's payment: all a statement line is compared with.</summary>
public sealed record LedgerPayment(string OrderId, string PaymentId, string Provider, OrderStatus Status, long? PaidAmountMinor, string Currency)
{
    public static LedgerPayment From(OrderRecord order) =>
        new(order.OrderId, order.PaymentId, order.Provider, order.Status, order.PaidAmountMinor, order.Currency);
}
