namespace GatewaySimulator;

/// <summary>One step of a dispute, in the order the gateway takes them; each dialect says it in its own words (or not at all).</summary>
internal enum DisputeStep
{
    /// <summary>Stripe's charge.dispute.created; Adyen's NOTIFICATION_OF_CHARGEBACK.</summary>
    Opened,
    /// <summary>Stripe's charge.dispute.funds_withdrawn; Adyen's CHARGEBACK (Adyen debits the merchant there).</summary>
    FundsWithdrawn,
    /// <summary>Stripe's charge.dispute.funds_reinstated; Adyen's CHARGEBACK_REVERSED.</summary>
    FundsReinstated,
    /// <summary>Stripe's charge.dispute.closed (won or lost); Adyen says nothing more.</summary>
    Closed,
}
