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

    /// <summary>
    /// Messages on the lane, due or waiting out their back-off (the transport's approximate count);
    /// null when this transport cannot tell (Service Bus: reading a queue's counts needs the Manage right,
    /// which the app's identity does not hold; Azure Monitor's own queue metrics show it). Read once per
    /// drain for the lane-depth metric.
    /// </summary>
    Task<long?> CountAsync(CancellationToken ct) => Task.FromResult<long?>(null);
}
