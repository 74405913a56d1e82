namespace Payments.Contracts;

/// <summary>
/// One gateway callback normalized across providers; the only shape the saga and the recovery
/// paths ever see. Amounts are in minor units of <see cref="Currency"/>.
/// </summary>
public sealed record PaymentEvent(
    string Provider,
    string EventId,
    PaymentEventKind Kind,
    string PaymentId,
    string OrderId,
    long AmountMinor,
    string Currency,
    DateTimeOffset OccurredAt)
{
    /// <summary>The Durable external-event name payment events are raised under.</summary>
    public const string SagaEventName = "PaymentEvent";

    /// <summary>
    /// A success learnt from the gateway rather than from a webhook (active query, statement). The
    /// event id names the path and the payment, so each path raises one event id per payment.
    /// </summary>
    public static PaymentEvent Recovered(string path, string provider, string paymentId, string orderId, long amountMinor, string currency, DateTimeOffset at) =>
        new(provider, $"{path}:{paymentId}", PaymentEventKind.Succeeded, paymentId, orderId, amountMinor, currency, at);
}
