using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Payments.Storage;

/// <summary>
/// The retry lane on Azure Storage Queues (Azurite locally): back-off is the initial visibility
/// delay, the dequeue count guards against poison messages, and a second queue
/// (<c>{name}-poison</c>) is the dead-letter queue, each entry carrying its reason.
/// </summary>
public sealed class StorageQueueLane(PaymentsStorage storage, string queueName, TimeProvider? clock = null) : IMessageLane
{
    /// <summary>How long a received message stays invisible while the drain works on it.</summary>
    private static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(2);

    /// <summary>A lease with less than this left is extended before the next message is worked on.</summary>
    private static readonly TimeSpan LeaseRenewalMargin = TimeSpan.FromMinutes(1);

    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    private string PoisonQueueName => queueName + "-poison";

    public async Task SendAsync(LaneMessage message, TimeSpan delay, CancellationToken ct)
    {
        var queue = await storage.QueueAsync(queueName, ct);
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(message), visibilityTimeout: delay > TimeSpan.Zero ? delay : null, cancellationToken: ct);
    }

    public async Task<IReadOnlyList<ILaneDelivery>> ReceiveAsync(int maxMessages, CancellationToken ct)
    {
        var queue = await storage.QueueAsync(queueName, ct);
        var poison = await storage.QueueAsync(PoisonQueueName, ct);
        var received = await queue.ReceiveMessagesAsync(Math.Min(maxMessages, 32), LeaseTime, ct);
        return received.Value.Select(m => (ILaneDelivery)new Delivery(queue, poison, m, null, clock)).ToArray();
    }

    public async Task<long?> CountAsync(CancellationToken ct)
    {
        var queue = await storage.QueueAsync(queueName, ct);
        return (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
    }

    public async Task<IReadOnlyList<ILaneDelivery>> ReceiveDeadLettersAsync(int maxMessages, CancellationToken ct)
    {
        var poison = await storage.QueueAsync(PoisonQueueName, ct);
        var received = await poison.ReceiveMessagesAsync(Math.Min(maxMessages, 32), LeaseTime, ct);
        return received.Value.Select(m => (ILaneDelivery)new Delivery(poison, poison, m, ReadDeadLetter(m.Body), clock)).ToArray();
    }

    private static DeadLetterEnvelope ReadDeadLetter(BinaryData body)
    {
        try
        {
            return body.ToObjectFromJson<DeadLetterEnvelope>() ?? new DeadLetterEnvelope("", "unreadable_dead_letter", "", body.ToString());
        }
        catch (JsonException)
        {
            return new DeadLetterEnvelope("", "unreadable_dead_letter", "The poison queue entry is not a dead-letter envelope.", body.ToString());
        }
    }

    /// <summary>A poison-queue entry: the original message with why it was dead-lettered.</summary>
    private sealed record DeadLetterEnvelope(string MessageId, string Reason, string Description, string Body);

    private sealed class Delivery(QueueClient queue, QueueClient poison, QueueMessage message, DeadLetterEnvelope? deadLetter, TimeProvider clock) : ILaneDelivery
    {
        // Each visibility update issues a new pop receipt; settling needs the latest.
        private string popReceipt = message.PopReceipt;
        private DateTimeOffset leasedUntil = clock.GetUtcNow() + LeaseTime;

        public string MessageId => deadLetter?.MessageId is { Length: > 0 } id ? id : message.MessageId;

        public int DeliveryCount => (int)message.DequeueCount;

        public BinaryData Body => deadLetter is null ? message.Body : BinaryData.FromString(deadLetter.Body);

        public string? DeadLetterReason => deadLetter?.Reason;

        public string? DeadLetterDescription => deadLetter?.Description;

        public async Task KeepLockAsync(CancellationToken ct)
        {
            if (leasedUntil - clock.GetUtcNow() < LeaseRenewalMargin)
            {
                await SetVisibilityAsync(LeaseTime, ct);
            }
        }

        public async Task CompleteAsync(CancellationToken ct) =>
            await LeasedAsync(() => queue.DeleteMessageAsync(message.MessageId, popReceipt, ct));

        public async Task DeadLetterAsync(string reason, string description, CancellationToken ct)
        {
            // Write the dead letter before deleting the original: a crash in between re-delivers, never loses.
            var envelope = new DeadLetterEnvelope(message.MessageId, reason, description, message.Body.ToString());
            await poison.SendMessageAsync(BinaryData.FromObjectAsJson(envelope), cancellationToken: ct);
            await LeasedAsync(() => queue.DeleteMessageAsync(message.MessageId, popReceipt, ct));
        }

        public Task AbandonAsync(CancellationToken ct) => SetVisibilityAsync(TimeSpan.Zero, ct);

        private async Task SetVisibilityAsync(TimeSpan visibility, CancellationToken ct)
        {
            var receipt = await LeasedAsync(() => queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: visibility, cancellationToken: ct));
            popReceipt = receipt.Value.PopReceipt;
            leasedUntil = receipt.Value.NextVisibleOn;
        }

        /// <summary>A message gone or re-leased to another reader (404, pop receipt mismatch) is a lost lock, not a failure.</summary>
        private async Task<T> LeasedAsync<T>(Func<Task<T>> call)
        {
            try
            {
                return await call();
            }
            catch (RequestFailedException ex) when (ex.Status == 404 || ex.ErrorCode == "PopReceiptMismatch")
            {
                throw new LaneLockLostException(MessageId, ex);
            }
        }
    }
}
