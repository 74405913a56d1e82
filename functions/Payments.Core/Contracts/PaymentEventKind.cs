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
}
