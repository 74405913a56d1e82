using Payments.Intake;

namespace Payments.Recovery;

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

/// <summary>One received lane message, settled exactly once by the drain.</summary>
public interface ILaneDelivery
{
    string MessageId { get; }

    /// <summary>How often the transport has handed this message out; guards against messages that crash the drain.</summary>
    int DeliveryCount { get; }

    BinaryData Body { get; }

    /// <summary>Set on dead-lettered messages.</summary>
    string? DeadLetterReason { get; }

    string? DeadLetterDescription { get; }

    Task CompleteAsync(CancellationToken ct);

    Task DeadLetterAsync(string reason, string description, CancellationToken ct);
}

/// <summary>
/// The retry lane's transport: Service Bus in Azure, Storage Queues on Azurite. Delays are how
/// back-off is expressed (scheduled messages, visibility timeouts); dead letters keep a reason.
/// </summary>
public interface IMessageLane
{
    Task SendAsync(LaneMessage message, TimeSpan delay, CancellationToken ct);

    Task<IReadOnlyList<ILaneDelivery>> ReceiveAsync(int maxMessages, CancellationToken ct);

    Task<IReadOnlyList<ILaneDelivery>> ReceiveDeadLettersAsync(int maxMessages, CancellationToken ct);
}
