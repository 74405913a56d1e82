namespace GatewaySimulator;

internal enum PaymentEventKind
{
    Succeeded,
    Failed,
    Refunded,
    /// <summary>Closed (canceled) before payment; only Stripe's dialect announces it.</summary>
    Closed,
    /// <summary>A refund the gateway accepted failed afterwards (the money did not go back); only Stripe's dialect announces it.</summary>
    RefundFailed,
    /// <summary>A step of a customer's dispute of a paid payment; only the Stripe and Adyen dialects announce it.</summary>
    Disputed,
}
