using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// What travels on the retry lane: a pointer to a stored callback plus the attempt count. The
/// callback itself stays in the inbox, so a lane message never carries payment payloads.
/// </summary>
/// <remarks>
/// <see cref="QueuedAt"/>: when the callback first went on the lane, carried by every retry, so the
/// drain can tell how long the oldest callback has waited (absent in messages of older builds).
/// </remarks>
public sealed record LaneMessage(int Version, string Provider, string EventId, string OrderId, int Attempt, DateTimeOffset? QueuedAt = null)
{
    public const int CurrentVersion = 1;

    /// <summary>Also the transport's duplicate-detection id: one callback, one message id.</summary>
    public string MessageId => $"{Provider}:{EventId}";

    public static LaneMessage For(PaymentEvent paymentEvent, int attempt, DateTimeOffset? queuedAt = null) =>
        new(CurrentVersion, paymentEvent.Provider, paymentEvent.EventId, paymentEvent.OrderId, attempt, queuedAt);
}
