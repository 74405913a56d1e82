using Azure.Messaging.ServiceBus;
using Payments.Hosting;
using Payments.Recovery;
using Payments.Storage;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>What every retry-lane transport must do; run against each adapter that can run here.</summary>
public abstract class LaneContractTests
{
    protected abstract Task<IMessageLane> CreateLaneAsync();

    protected static LaneMessage Message(string eventId, int attempt = 1) => new(LaneMessage.CurrentVersion, "standard", eventId, "order-1", attempt);

    [Fact]
    public async Task A_sent_message_is_received_once_and_gone_after_completion()
    {
        var lane = await CreateLaneAsync();
        await lane.SendAsync(Message("evt-a"), TimeSpan.Zero, CancellationToken.None);

        var received = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));
        Assert.True(RetryLane.TryRead(received.Body, out var message));
        Assert.Equal(Message("evt-a"), message);
        Assert.True(received.DeliveryCount >= 1);
        await received.CompleteAsync(CancellationToken.None);

        Assert.Empty(await lane.ReceiveAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task An_abandoned_message_is_handed_out_again_at_once()
    {
        var lane = await CreateLaneAsync();
        await lane.SendAsync(Message("evt-back"), TimeSpan.Zero, CancellationToken.None);
        var received = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));

        await received.AbandonAsync(CancellationToken.None);

        var again = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));
        Assert.True(RetryLane.TryRead(again.Body, out var message));
        Assert.Equal("evt-back", message!.EventId);
    }

    [Fact]
    public async Task A_delayed_message_is_not_delivered_before_its_delay()
    {
        var lane = await CreateLaneAsync();
        await lane.SendAsync(Message("evt-later", attempt: 2), TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Empty(await lane.ReceiveAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_dead_lettered_message_keeps_its_body_reason_and_description_and_leaves_the_lane()
    {
        var lane = await CreateLaneAsync();
        await lane.SendAsync(Message("evt-dead"), TimeSpan.Zero, CancellationToken.None);
        var received = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));

        await received.DeadLetterAsync("unknown_order", "Order order-1 still unknown after 6 attempts.", CancellationToken.None);

        Assert.Empty(await lane.ReceiveAsync(10, CancellationToken.None));
        var dead = Assert.Single(await lane.ReceiveDeadLettersAsync(10, CancellationToken.None));
        Assert.Equal(("unknown_order", "Order order-1 still unknown after 6 attempts."), (dead.DeadLetterReason, dead.DeadLetterDescription));
        Assert.True(RetryLane.TryRead(dead.Body, out var message));
        Assert.Equal("evt-dead", message!.EventId);
        await dead.CompleteAsync(CancellationToken.None);
        Assert.Empty(await lane.ReceiveDeadLettersAsync(10, CancellationToken.None));
    }
}

/// <summary>The Storage Queue adapter on a real Azurite.</summary>
public sealed class StorageQueueLaneContractTests : LaneContractTests
{
    protected override async Task<IMessageLane> CreateLaneAsync()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "lane" + Guid.NewGuid().ToString("N")[..8] });
        return new StorageQueueLane(storage, "retry-lane");
    }

    [Fact]
    public async Task A_lease_running_out_is_extended_and_the_message_is_still_settled_with_the_new_pop_receipt()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "lease" + Guid.NewGuid().ToString("N")[..8] });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lane = new StorageQueueLane(storage, "retry-lane", clock);
        await lane.SendAsync(Message("evt-lease"), TimeSpan.Zero, CancellationToken.None);
        var received = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));

        clock.Advance(TimeSpan.FromSeconds(90)); // 30 s of the 2-minute lease left
        await received.KeepLockAsync(CancellationToken.None);
        await received.CompleteAsync(CancellationToken.None);

        Assert.Empty(await lane.ReceiveAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Settling_with_a_stale_pop_receipt_is_a_lost_lock()
    {
        var lane = await CreateLaneAsync();
        await lane.SendAsync(Message("evt-stale"), TimeSpan.Zero, CancellationToken.None);
        var first = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));
        await first.AbandonAsync(CancellationToken.None);
        var second = Assert.Single(await lane.ReceiveAsync(10, CancellationToken.None));
        await second.CompleteAsync(CancellationToken.None);

        await Assert.ThrowsAsync<LaneLockLostException>(() => first.CompleteAsync(CancellationToken.None));
    }
}

/// <summary>
/// The Service Bus adapter over the SDK's mockable sender and receivers (no broker can run here):
/// a minimal in-memory queue behind them, messages built with <see cref="ServiceBusModelFactory"/>.
/// </summary>
public sealed class ServiceBusLaneContractTests : LaneContractTests
{
    protected override Task<IMessageLane> CreateLaneAsync()
    {
        var broker = new InMemoryQueue();
        return Task.FromResult<IMessageLane>(new ServiceBusLane(new Sender(broker), new Receiver(broker, deadLetters: false), new Receiver(broker, deadLetters: true)));
    }

    [Fact]
    public async Task Retries_are_scheduled_messages_and_the_first_attempt_uses_the_callback_id_for_duplicate_detection()
    {
        var broker = new InMemoryQueue();
        var lane = new ServiceBusLane(new Sender(broker), new Receiver(broker, false), new Receiver(broker, true));

        await lane.SendAsync(new LaneMessage(1, "stripe", "evt_1", "o1", 1), TimeSpan.Zero, CancellationToken.None);
        await lane.SendAsync(new LaneMessage(1, "stripe", "evt_1", "o1", 2), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal([("stripe:evt_1", false), ("stripe:evt_1#2", true)], broker.Sent.Select(s => (s.Message.MessageId, s.Scheduled)));
    }

    private sealed class InMemoryQueue
    {
        public readonly List<(ServiceBusMessage Message, bool Scheduled)> Sent = [];
        public readonly List<(ServiceBusReceivedMessage Message, DateTimeOffset VisibleAt)> Active = [];
        public readonly List<ServiceBusReceivedMessage> DeadLetters = [];
        private long sequence;

        public void Add(ServiceBusMessage message, DateTimeOffset visibleAt, bool scheduled)
        {
            Sent.Add((message, scheduled));
            Active.Add((ServiceBusModelFactory.ServiceBusReceivedMessage(message.Body, message.MessageId, deliveryCount: 1,
                sequenceNumber: ++sequence, lockTokenGuid: Guid.NewGuid()), visibleAt));
        }
    }

    private sealed class Sender(InMemoryQueue queue) : ServiceBusSender
    {
        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            queue.Add(message, DateTimeOffset.UtcNow, scheduled: false);
            return Task.CompletedTask;
        }

        public override Task<long> ScheduleMessageAsync(ServiceBusMessage message, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
        {
            queue.Add(message, scheduledEnqueueTime, scheduled: true);
            return Task.FromResult(0L);
        }
    }

    private sealed class Receiver(InMemoryQueue queue, bool deadLetters) : ServiceBusReceiver
    {
        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
        {
            IReadOnlyList<ServiceBusReceivedMessage> batch = deadLetters
                ? queue.DeadLetters.Take(maxMessages).ToArray()
                : queue.Active.Where(a => a.VisibleAt <= DateTimeOffset.UtcNow).Select(a => a.Message).Take(maxMessages).ToArray();
            return Task.FromResult(batch);
        }

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            queue.Active.RemoveAll(a => a.Message.LockToken == message.LockToken);
            queue.DeadLetters.RemoveAll(d => d.LockToken == message.LockToken);
            return Task.CompletedTask;
        }

        // Abandoning leaves the message where it is: this minimal queue holds no locks.
        public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
            Task.CompletedTask;

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            queue.Active.RemoveAll(a => a.Message.LockToken == message.LockToken);
            queue.DeadLetters.Add(ServiceBusModelFactory.ServiceBusReceivedMessage(message.Body, message.MessageId, deliveryCount: message.DeliveryCount,
                lockTokenGuid: Guid.NewGuid(), properties: new Dictionary<string, object>
                {
                    ["DeadLetterReason"] = deadLetterReason,
                    ["DeadLetterErrorDescription"] = deadLetterErrorDescription ?? "",
                }));
            return Task.CompletedTask;
        }
    }
}
