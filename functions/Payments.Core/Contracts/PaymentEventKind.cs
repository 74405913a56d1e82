namespace Payments.Contracts;

/// <summary>What a gateway told us happened to a payment.</summary>
public enum PaymentEventKind
{
    Succeeded,
    Failed,
    Refunded,
    /// <summary>The payment was closed at the gateway (e.g. a canceled PaymentIntent): nothing can be paid on it any more.</summary>
    Closed,
    /// <summary>A refund failed or was closed after the gateway accepted it (WeChat Pay's REFUND.ABNORMAL, Adyen's REFUND_FAILED): the money did not go back.</summary>
    RefundFailed,
    /// <summary>The customer disputed the charge (Stripe's charge.dispute.created/updated, Adyen's NOTIFICATION_OF_CHARGEBACK): no money moved yet; the merchant may defend it.</summary>
    DisputeOpened,
    /// <summary>The gateway took the disputed amount from the merchant's balance while the dispute runs (Stripe's charge.dispute.funds_withdrawn): not lost yet.</summary>
    DisputeFundsWithdrawn,
    /// <summary>The gateway gave the disputed amount back to the merchant (Stripe's charge.dispute.funds_reinstated).</summary>
    DisputeFundsReinstated,
    /// <summary>The dispute ended in the merchant's favour (Stripe's closed won or warning_closed, Adyen's CHARGEBACK_REVERSED): the money stays.</summary>
    DisputeWon,
    /// <summary>The money went back to the customer by the dispute (Stripe's closed lost, Adyen's CHARGEBACK or SECOND_CHARGEBACK): the order is reversed.</summary>
    DisputeLost,
}
