namespace Payments.Intake;

/// <summary>What a gateway told us happened to a payment.</summary>
public enum PaymentEventKind
{
    Succeeded,
    Failed,
    Refunded,
}

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
}
