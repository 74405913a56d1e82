namespace Payments.Contracts;

/// <summary>
/// One gateway callback normalized across providers; the only shape the saga and the recovery
/// paths ever see. Amounts are in minor units of <see cref="Currency"/>. A refund notice names the
/// gateway's refund id where it has one; its amount is that refund's, or the payment's refunded total so
/// far where the gateway says only that (<see cref="AmountIsRefundedTotal"/>: Alipay's refund_fee). A notice that names no order
/// (WeChat Pay's refund notices, a Stripe Dashboard refund) has an empty <see cref="OrderId"/> until
/// intake finds the order by the payment's capture in the money ledger. A dispute notice names the
/// gateway's dispute id (Stripe's <c>dp_…</c>, the pspReference Adyen gives every event of one dispute);
/// its amount is the disputed amount, in the charge's currency.
/// </summary>
public sealed record PaymentEvent(
    string Provider,
    string EventId,
    PaymentEventKind Kind,
    string PaymentId,
    string OrderId,
    long AmountMinor,
    string Currency,
    DateTimeOffset OccurredAt,
    string? RefundId = null,
    bool AmountIsRefundedTotal = false,
    string? DisputeId = null)
{
    public bool IsRefundNotice => Kind is PaymentEventKind.Refunded or PaymentEventKind.RefundFailed;

    public bool IsDisputeNotice => Kind is PaymentEventKind.DisputeOpened or PaymentEventKind.DisputeFundsWithdrawn or PaymentEventKind.DisputeFundsReinstated
        or PaymentEventKind.DisputeWon or PaymentEventKind.DisputeLost;

    /// <summary>News about money after the payment (a refund or a dispute): the money ledger's, never the saga's to decide on.</summary>
    public bool IsAfterPayment => IsRefundNotice || IsDisputeNotice;

    /// <summary>The Durable external-event name payment events are raised under.</summary>
    public const string SagaEventName = "PaymentEvent";

    /// <summary>
    /// A success learnt from the gateway rather than from a webhook (active query, statement). The
    /// event id names the path and the payment, so each path raises one event id per payment.
    /// </summary>
    public static PaymentEvent Recovered(string path, string provider, string paymentId, string orderId, long amountMinor, string currency, DateTimeOffset at) =>
        new(provider, $"{path}:{paymentId}", PaymentEventKind.Succeeded, paymentId, orderId, amountMinor, currency, at);
}
