using Azure.Messaging.ServiceBus;

namespace Payments.Storage;

/// <summary>
/// The retry lane on Azure Service Bus: back-off is a scheduled message, the message id
/// (<c>provider:eventId</c>) feeds the queue's duplicate detection, and dead letters go to the
/// queue's own <see cref="SubQueue.DeadLetter"/> with reason and description.
/// </summary>
public sealed class ServiceBusLane(ServiceBusSender sender, ServiceBusReceiver receiver, ServiceBusReceiver deadLetterReceiver) : IMessageLane
{
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(1);

    public async Task SendAsync(LaneMessage message, TimeSpan delay, CancellationToken ct)
    {
        var outgoing = new ServiceBusMessage(BinaryData.FromObjectAsJson(message))
        {
            // A retry is a new message; the attempt keeps its id distinct from the first delivery's,
            // so duplicate detection drops only true duplicates.
            MessageId = message.Attempt <= 1 ? message.MessageId : $"{message.MessageId}#{message.Attempt}",
            ContentType = "application/json",
            Subject = "payment-callback",
        };
        if (delay > TimeSpan.Zero)
        {
            await sender.ScheduleMessageAsync(outgoing, DateTimeOffset.UtcNow + delay, ct);
        }
        else
        {
            await sender.SendMessageAsync(outgoing, ct);
        }
    }

    public async Task<IReadOnlyList<ILaneDelivery>> ReceiveAsync(int maxMessages, CancellationToken ct) =>
        (await receiver.ReceiveMessagesAsync(maxMessages, ReceiveWait, ct)).Select(m => (ILaneDelivery)new Delivery(receiver, m)).ToArray();

    public async Task<IReadOnlyList<ILaneDelivery>> ReceiveDeadLettersAsync(int maxMessages, CancellationToken ct) =>
        (await deadLetterReceiver.ReceiveMessagesAsync(maxMessages, ReceiveWait, ct)).Select(m => (ILaneDelivery)new Delivery(deadLetterReceiver, m)).ToArray();

    public static ServiceBusLane Create(ServiceBusClient client, string queueName) => new(
        client.CreateSender(queueName),
        client.CreateReceiver(queueName),
        client.CreateReceiver(queueName, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter }));

    private sealed class Delivery(ServiceBusReceiver receiver, ServiceBusReceivedMessage message) : ILaneDelivery
    {
        public string MessageId => message.MessageId;

        public int DeliveryCount => message.DeliveryCount;

        public BinaryData Body => message.Body;

        public string? DeadLetterReason => message.DeadLetterReason;

        public string? DeadLetterDescription => message.DeadLetterErrorDescription;

        public Task CompleteAsync(CancellationToken ct) => receiver.CompleteMessageAsync(message, ct);

        public Task DeadLetterAsync(string reason, string description, CancellationToken ct) =>
            receiver.DeadLetterMessageAsync(message, reason, description, ct);
    }
}
