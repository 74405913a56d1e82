namespace Payments.Storage;

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
