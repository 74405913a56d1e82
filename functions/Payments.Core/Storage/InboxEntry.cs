using Payments.Contracts;

namespace Payments.Storage;

/// <summary>A callback exactly as received, plus what it was parsed into and each time it was delivered (gateway retries, retry-lane attempts).</summary>
public sealed record InboxEntry(
    string Provider,
    string EventId,
    byte[] Body,
    IReadOnlyDictionary<string, string> SignatureHeaders,
    DateTimeOffset ReceivedAt,
    InboxState State,
    PaymentEvent? Event,
    string? EventType,
    IReadOnlyList<CallbackDelivery>? Deliveries = null);
