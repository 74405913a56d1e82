using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// A callback exactly as received, plus what it was parsed into and each time it was delivered (gateway
/// retries, retry-lane attempts). <see cref="IndexKey"/>: the key of the index row its state had when it
/// was read (null for an entry not read from the inbox), so a later move can delete that row without reading.
/// <see cref="ETag"/>: the row's version when it was read (null for an entry not read from the inbox), so a later
/// write can rely on what was read and fail (412) if anyone changed the row since.
/// <see cref="RelayFailures"/>: how many outbox-relay passes failed to dispatch it (the relay parks it at its cap).
/// </summary>
public sealed record InboxEntry(
    string Provider,
    string EventId,
    byte[] Body,
    IReadOnlyDictionary<string, string> SignatureHeaders,
    DateTimeOffset ReceivedAt,
    InboxState State,
    PaymentEvent? Event,
    string? EventType,
    IReadOnlyList<CallbackDelivery>? Deliveries = null,
    string? IndexKey = null,
    string? ETag = null,
    int RelayFailures = 0);
