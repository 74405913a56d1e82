namespace Payments.Storage;

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
