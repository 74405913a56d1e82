namespace Payments.Contracts;

/// <summary>What a gateway told us happened to a payment.</summary>
public enum PaymentEventKind
{
    Succeeded,
    Failed,
    Refunded,
}
