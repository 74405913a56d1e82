namespace Payments.Storage;

/// <summary>
/// One received lane message, settled exactly once by the drain: completed, dead-lettered or handed
/// back (abandoned). Settling after the transport's lock is gone throws <see cref="LaneLockLostException"/>;
/// a transient transport failure throws <see cref="LaneUnavailableException"/>.
/// </summary>
public interface ILaneDelivery
{
    string MessageId { get; }

    /// <summary>How often the transport has handed this message out; guards against messages that crash the drain.</summary>
    int DeliveryCount { get; }

    BinaryData Body { get; }

    /// <summary>Set on dead-lettered messages.</summary>
    string? DeadLetterReason { get; }

    string? DeadLetterDescription { get; }

    /// <summary>
    /// Renews the transport's lock when little of it is left. A batch is received at once and worked
    /// through one message after another; the drain calls this before each message, so the last one
    /// of a slow batch is still ours when it is settled.
    /// </summary>
    Task KeepLockAsync(CancellationToken ct);

    Task CompleteAsync(CancellationToken ct);

    Task DeadLetterAsync(string reason, string description, CancellationToken ct);

    /// <summary>Hands the message back at once for a later drain, instead of holding it until the lock runs out.</summary>
    Task AbandonAsync(CancellationToken ct);
}
