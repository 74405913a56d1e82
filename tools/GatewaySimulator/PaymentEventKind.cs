namespace GatewaySimulator;

internal enum PaymentEventKind
{
    Succeeded,
    Failed,
    Refunded,
    /// <summary>Closed (canceled) before payment; only Stripe's dialect announces it.</summary>
    Closed,
}
