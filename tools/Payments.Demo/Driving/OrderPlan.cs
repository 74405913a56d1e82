using Payments.Contracts;

namespace Payments.Demo.Driving;

/// <summary>One order and the timed actions taken on it.</summary>
public sealed record OrderPlan(OrderRequest Order, CustomerBehaviour Behaviour, IReadOnlyList<CustomerStep> Steps, long WrongAmountMinor)
{
    /// <summary>The payment a double-submitting customer creates beside the order's own.</summary>
    public string SecondPaymentId => Order.PaymentId + "-2";
}
