using System.Security.Cryptography;
using System.Text;
using Azure.Messaging.ServiceBus;

namespace Payments.Storage;

/// <summary>
/// The retry lane on Azure Service Bus: back-off is a scheduled message, the message id
/// (<c>provider:eventId</c>) feeds the queue's duplicate detection, and dead letters go to the
/// queue's own <see cref="SubQueue.DeadLetter"/> with reason and description. Locks are renewed while
/// a batch is worked through, and <see cref="ServiceBusException"/>s are classified by reason and
/// transience into the lane's own exceptions, so the drain tells a lost lock from a failed dispatch.
/// </summary>
public sealed class ServiceBusLane(ServiceBusSender sender, ServiceBusReceiver receiver, ServiceBusReceiver deadLetterReceiver, TimeProvider? clock = null) : IMessageLane
{
    /// <summary>Service Bus rejects message ids longer than this.</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>
    /// A lock with less than this left is renewed before the next message is worked on. Half the
    /// queue's lock duration (infra/modules/servicebus.bicep, PT1M): one message's dispatch takes well
    /// under that, so a renewed lock always outlives the work on its message.
    /// </summary>
    public static readonly TimeSpan LockRenewalMargin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(1);

    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    public async Task SendAsync(LaneMessage message, TimeSpan delay, CancellationToken ct)
    {
        var outgoing = new ServiceBusMessage(BinaryData.FromObjectAsJson(message))
        {
            // A retry is a new message; the attempt keeps its id distinct from the first delivery's,
            // so duplicate detection drops only true duplicates.
            MessageId = TransportMessageId(message.Attempt <= 1 ? message.MessageId : $"{message.MessageId}#{message.Attempt}"),
            ContentType = "application/json",
            Subject = "payment-callback",
        };
        await Classified("send", () => delay > TimeSpan.Zero
            ? sender.ScheduleMessageAsync(outgoing, clock.GetUtcNow() + delay, ct)
            : sender.SendMessageAsync(outgoing, ct));
    }

    public async Task<IReadOnlyList<ILaneDelivery>> ReceiveAsync(int maxMessages, CancellationToken ct) =>
        (await Classified("receive", () => receiver.ReceiveMessagesAsync(maxMessages, ReceiveWait, ct)))
            .Select(m => (ILaneDelivery)new Delivery(receiver, m, clock)).ToArray();

    public async Task<IReadOnlyList<ILaneDelivery>> ReceiveDeadLettersAsync(int maxMessages, CancellationToken ct) =>
        (await Classified("receive dead letters", () => deadLetterReceiver.ReceiveMessagesAsync(maxMessages, ReceiveWait, ct)))
            .Select(m => (ILaneDelivery)new Delivery(deadLetterReceiver, m, clock)).ToArray();

    public static ServiceBusLane Create(ServiceBusClient client, string queueName, TimeProvider? clock = null) => new(
        client.CreateSender(queueName),
        client.CreateReceiver(queueName),
        client.CreateReceiver(queueName, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter }),
        clock);

    /// <summary>
    /// The id Service Bus gets: the lane id itself, or, past <see cref="MaxMessageIdLength"/> characters
    /// (gateway event ids have no length limit of ours), its SHA-256 — deterministic, so duplicate
    /// detection still recognises a repeated send.
    /// </summary>
    public static string TransportMessageId(string laneMessageId) =>
        laneMessageId.Length <= MaxMessageIdLength
            ? laneMessageId
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(laneMessageId)));

    /// <summary>A lost lock, a transient failure, or (unwrapped) anything else.</summary>
    public static Exception? Classify(ServiceBusException exception, string operation, string? messageId = null) => exception.Reason switch
    {
        ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.SessionLockLost or ServiceBusFailureReason.MessageNotFound
            => new LaneLockLostException(messageId ?? "(none)", exception),
        ServiceBusFailureReason.ServiceBusy or ServiceBusFailureReason.ServiceTimeout or ServiceBusFailureReason.ServiceCommunicationProblem
            => new LaneUnavailableException(operation, exception),
        _ when exception.IsTransient => new LaneUnavailableException(operation, exception),
        _ => null,
    };

    private static async Task Classified(string operation, Func<Task> call, string? messageId = null)
    {
        try
        {
            await call();
        }
        catch (ServiceBusException ex) when (Classify(ex, operation, messageId) is { } classified)
        {
            throw classified;
        }
    }

    private static async Task<T> Classified<T>(string operation, Func<Task<T>> call, string? messageId = null)
    {
        try
        {
            return await call();
        }
        catch (ServiceBusException ex) when (Classify(ex, operation, messageId) is { } classified)
        {
            throw classified;
        }
    }

    private sealed class Delivery(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, TimeProvider clock) : ILaneDelivery
    {
        private DateTimeOffset lockedUntil = message.LockedUntil;

        public string MessageId => message.MessageId;

        public int DeliveryCount => message.DeliveryCount;

        public BinaryData Body => message.Body;

        public string? DeadLetterReason => message.DeadLetterReason;

        public string? DeadLetterDescription => message.DeadLetterErrorDescription;

        public async Task KeepLockAsync(CancellationToken ct)
        {
            if (lockedUntil - clock.GetUtcNow() < LockRenewalMargin)
            {
                // The SDK moves message.LockedUntil to the renewed expiry.
                await Classified("renew lock", () => receiver.RenewMessageLockAsync(message, ct), MessageId);
                lockedUntil = message.LockedUntil;
            }
        }

        public Task CompleteAsync(CancellationToken ct) =>
            Classified("complete", () => receiver.CompleteMessageAsync(message, ct), MessageId);

        public Task DeadLetterAsync(string reason, string description, CancellationToken ct) =>
            Classified("dead-letter", () => receiver.DeadLetterMessageAsync(message, reason, description, ct), MessageId);

        public Task AbandonAsync(CancellationToken ct) =>
            Classified("abandon", () => receiver.AbandonMessageAsync(message, cancellationToken: ct), MessageId);
    }
}
