using Payments.Contracts;

namespace Payments.Storage;

/// <summary>
/// What travels on the retry lane: a pointer to a stored callback plus the attempt count. The
/// callback itself stays in the inbox, so a lane message never carries payment payloads.
/// </summary>
public sealed record LaneMessage(int Version, string Provider, string EventId, string OrderId, int Attempt)
{
    public const int CurrentVersion = 1;

    /// <summary>Also the transport's duplicate-detection id: one callback, one message id.</summary>
    public string MessageId => $"{Provider}:{EventId}";

    public static LaneMessage For(PaymentEvent paymentEvent, int attempt) =>
        new(CurrentVersion, paymentEvent.Provider, paymentEvent.EventId, paymentEvent.OrderId, attempt);
}
