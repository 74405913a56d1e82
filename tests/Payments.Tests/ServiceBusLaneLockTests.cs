using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.DevKit;
using Payments.Hosting;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Issue 16, item 3: the Service Bus lane's locks. A broker with Service Bus's lock semantics (a
/// received message is locked for the lock duration; settling after that fails with MessageLockLost;
/// an abandon or an expired lock counts a delivery) behind the SDK's mockable sender and receivers,
/// messages built with <see cref="ServiceBusModelFactory"/>, time on a <see cref="FakeTimeProvider"/>.
/// The drains run against real inbox and dead-letter tables on Azurite.
/// </summary>
public sealed class ServiceBusLaneLockTests
{
    private static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_slow_batch_renews_the_lock_of_a_message_whose_lock_is_running_out()
    {
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow)) { WorkPerSettle = TimeSpan.FromSeconds(25) };
        await using var pipeline = await LanePipeline.StartAsync(broker);
        foreach (var id in new[] { "slow-1", "slow-2", "slow-3" })
        {
            await pipeline.StoreDispatchedAsync(id);
            broker.Enqueue(Message(id));
        }

        // Each message takes 25 s: the third starts with 10 s of its 60 s lock left.
        var report = await pipeline.RetryLane.DrainAsync(null!);

        Assert.Equal(new LaneDrainReport(Applied: 3, Retried: 0, DeadLettered: 0), report);
        Assert.Equal(["standard:slow-3"], broker.Renewed);
        Assert.Empty(broker.Active);
    }

    [Fact]
    public async Task A_lock_lost_on_complete_is_no_dispatch_failure_and_the_drain_goes_on()
    {
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var pipeline = await LanePipeline.StartAsync(broker);
        foreach (var id in new[] { "lost-1", "lost-2" })
        {
            await pipeline.StoreDispatchedAsync(id);
            broker.Enqueue(Message(id));
        }
        broker.FailOnce("complete", "standard:lost-1", new ServiceBusException("lock expired", ServiceBusFailureReason.MessageLockLost));

        var report = await pipeline.RetryLane.DrainAsync(null!);

        Assert.Equal(new LaneDrainReport(Applied: 1, Retried: 0, DeadLettered: 0, Abandoned: 0, LocksLost: 1), report);
        // No retry was sent and nothing dead-lettered for it: the message simply comes again.
        Assert.Empty(broker.Sent);
        Assert.Empty(broker.DeadLetters);
        Assert.Equal(["standard:lost-1"], broker.Active.Select(m => m.MessageId));
    }

    [Fact]
    public async Task During_a_storage_outage_the_batch_is_handed_back_at_once_and_no_more_is_received()
    {
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var pipeline = await LanePipeline.StartAsync(broker, storageDown: true);
        foreach (var id in new[] { "out-1", "out-2", "out-3" })
        {
            broker.Enqueue(Message(id));
        }

        var report = await pipeline.RetryLane.DrainAsync(null!);

        Assert.Equal(new LaneDrainReport(0, 0, 0, Abandoned: 3, LocksLost: 0), report);
        Assert.Equal(3, broker.Abandoned.Count);
        // Handed back, not held: every message is receivable again right now, none locked.
        Assert.All(broker.Active, m => Assert.Null(m.LockedUntil));
        Assert.Empty(broker.DeadLetters);
    }

    [Fact]
    public async Task A_transient_transport_failure_hands_the_message_back_and_ends_the_drain()
    {
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var pipeline = await LanePipeline.StartAsync(broker);
        foreach (var id in new[] { "busy-1", "busy-2" })
        {
            await pipeline.StoreDispatchedAsync(id);
            broker.Enqueue(Message(id));
        }
        broker.FailOnce("complete", "standard:busy-1", new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy));

        var report = await pipeline.RetryLane.DrainAsync(null!);

        Assert.Equal(new LaneDrainReport(0, 0, 0, Abandoned: 2, LocksLost: 0), report);
        Assert.Empty(broker.DeadLetters);
        Assert.Empty(broker.Sent);
    }

    [Fact]
    public async Task A_lock_lost_while_the_dead_letter_desk_completes_does_not_abort_its_drain()
    {
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var pipeline = await LanePipeline.StartAsync(broker);
        broker.EnqueueDeadLetter(Message("gone-1"), "callback_missing");
        broker.EnqueueDeadLetter(Message("gone-2"), "callback_missing");
        broker.FailOnce("complete", "standard:gone-1", new ServiceBusException("lock expired", ServiceBusFailureReason.MessageLockLost));

        var report = await pipeline.DeadLetterDesk.DrainAsync(null!);

        // Both parked; the one whose lock was lost waits for the next drain, where parking it again is a no-op.
        Assert.Equal(new DeadLetterDrainReport(Redriven: 0, Parked: 2), report);
        Assert.Equal(["standard:gone-1"], broker.DeadLetters.Select(m => m.MessageId));
    }

    [Theory]
    [InlineData("poison")]
    [InlineData("MaxDeliveryCountExceeded")]
    public async Task A_letter_handed_out_too_often_is_re_driven_once_more_before_it_is_parked(string reason)
    {
        // Hand-backs during an outage count as deliveries, so these letters are usually healthy callbacks.
        await using var durable = await InMemoryDurable.StartAsync(
            r => r.AddOrchestratorFunc<object?, object?>("AwaitPayment", async (context, _) => await context.WaitForExternalEvent<object>(PaymentEvent.SagaEventName)),
            concurrency: 2);
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var pipeline = await LanePipeline.StartAsync(broker);
        await pipeline.StoreAsync("worn-1", dispatched: false);
        await durable.Client.ScheduleNewOrchestrationInstanceAsync("AwaitPayment", null,
            new Microsoft.DurableTask.StartOrchestrationOptions(Payments.Saga.OrderSaga.InstanceId("order-worn-1")));
        broker.EnqueueDeadLetter(Message("worn-1"), reason);

        var report = await pipeline.DeadLetterDesk.DrainAsync(durable.Client);

        Assert.Equal(new DeadLetterDrainReport(Redriven: 1, Parked: 0), report);
    }

    [Theory]
    [InlineData(ServiceBusFailureReason.MessageLockLost, false, typeof(LaneLockLostException))]
    [InlineData(ServiceBusFailureReason.SessionLockLost, false, typeof(LaneLockLostException))]
    [InlineData(ServiceBusFailureReason.ServiceBusy, true, typeof(LaneUnavailableException))]
    [InlineData(ServiceBusFailureReason.ServiceTimeout, true, typeof(LaneUnavailableException))]
    [InlineData(ServiceBusFailureReason.ServiceCommunicationProblem, true, typeof(LaneUnavailableException))]
    [InlineData(ServiceBusFailureReason.GeneralError, true, typeof(LaneUnavailableException))]
    [InlineData(ServiceBusFailureReason.GeneralError, false, null)]
    [InlineData(ServiceBusFailureReason.MessagingEntityNotFound, false, null)]
    [InlineData(ServiceBusFailureReason.MessageSizeExceeded, false, null)]
    public void Service_bus_errors_are_classified_by_reason_and_transience(ServiceBusFailureReason reason, bool transient, Type? expected)
    {
        var classified = ServiceBusLane.Classify(new ServiceBusException(transient, "failure", "retry-lane", reason, null!), "complete", "m");

        Assert.Equal(expected, classified?.GetType());
    }

    [Fact]
    public async Task Long_event_ids_become_stable_message_ids_within_service_bus_limit()
    {
        var broker = new LockingBroker(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var lane = broker.Lane();
        var longId = new string('e', 300);

        await lane.SendAsync(Message(longId), TimeSpan.Zero, CancellationToken.None);
        await lane.SendAsync(Message(longId), TimeSpan.Zero, CancellationToken.None);
        await lane.SendAsync(Message(longId, attempt: 2), TimeSpan.FromSeconds(5), CancellationToken.None);
        await lane.SendAsync(Message("short"), TimeSpan.Zero, CancellationToken.None);

        var ids = broker.Sent.Select(m => m.MessageId).ToList();
        Assert.All(ids, id => Assert.InRange(id.Length, 1, ServiceBusLane.MaxMessageIdLength));
        Assert.Equal(ids[0], ids[1]); // duplicate detection still sees a repeated send
        Assert.NotEqual(ids[0], ids[2]); // a retry is a new message
        Assert.Equal("standard:short", ids[3]);
    }

    private static LaneMessage Message(string eventId, int attempt = 1) => new(LaneMessage.CurrentVersion, "standard", eventId, "order-" + eventId[..Math.Min(eventId.Length, 20)], attempt);

    /// <summary>The core's retry lane and dead-letter desk over the broker, with inbox and parked letters on Azurite.</summary>
    private sealed class LanePipeline(ServiceProvider services) : IAsyncDisposable
    {
        public RetryLane RetryLane => services.GetRequiredService<RetryLane>();

        public DeadLetterDesk DeadLetterDesk => services.GetRequiredService<DeadLetterDesk>();

        public static async Task<LanePipeline> StartAsync(LockingBroker broker, bool storageDown = false)
        {
            var settings = await PipelineHost.SettingsAsync("lock" + Guid.NewGuid().ToString("N")[..8], FreePort.Next());
            // One receiver: these tests follow one batch through its locks, and the broker double is not thread-safe.
            settings["Lane:DrainConcurrency"] = "1";
            if (storageDown)
            {
                settings["PaymentsStorage:ConnectionString"] = Azurite.Unreachable();
            }
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection().AddLogging().AddPaymentsCore(configuration);
            services.AddSingleton<IMessageLane>(broker.Lane());
            return new LanePipeline(services.BuildServiceProvider());
        }

        /// <summary>A callback already applied: the lane only completes its message.</summary>
        public Task StoreDispatchedAsync(string eventId) => StoreAsync(eventId, dispatched: true);

        public async Task StoreAsync(string eventId, bool dispatched)
        {
            var inbox = services.GetRequiredService<InboxStore>();
            var paymentEvent = new PaymentEvent("standard", eventId, PaymentEventKind.Succeeded, "pay-" + eventId, "order-" + eventId, 100, "EUR", DateTimeOffset.UtcNow);
            await inbox.TryAddAsync(new InboxEntry("standard", eventId, "{}"u8.ToArray(), new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Received, paymentEvent, "payment.succeeded"));
            if (dispatched)
            {
                await inbox.MarkDispatchedAsync("standard", eventId);
            }
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }

    /// <summary>One queue and its dead-letter sub-queue with Service Bus's peek-lock rules, on a fake clock.</summary>
    private sealed class LockingBroker(FakeTimeProvider clock)
    {
        public sealed class Entry(ServiceBusMessage message, string? deadLetterReason = null)
        {
            public ServiceBusMessage Message => message;
            public string MessageId => message.MessageId;
            public string? DeadLetterReason => deadLetterReason;
            public int DeliveryCount { get; set; }
            public Guid LockToken { get; set; }
            public DateTimeOffset? LockedUntil { get; set; }
        }

        private readonly List<(string Operation, string MessageId, Exception Failure)> faults = [];

        public FakeTimeProvider Clock => clock;

        /// <summary>How far the clock moves while the drain works on one message (charged at settling).</summary>
        public TimeSpan WorkPerSettle { get; init; }

        public List<ServiceBusMessage> Sent { get; } = [];
        public List<Entry> Active { get; } = [];
        public List<Entry> DeadLetters { get; } = [];
        public List<string> Renewed { get; } = [];
        public List<string> Abandoned { get; } = [];

        public ServiceBusLane Lane() => new(new Sender(this), new Receiver(this, Active), new Receiver(this, DeadLetters), clock);

        public void Enqueue(LaneMessage message) => Active.Add(new Entry(ToServiceBus(message)));

        public void EnqueueDeadLetter(LaneMessage message, string reason) => DeadLetters.Add(new Entry(ToServiceBus(message), reason));

        public void FailOnce(string operation, string messageId, Exception failure) => faults.Add((operation, messageId, failure));

        private static ServiceBusMessage ToServiceBus(LaneMessage message) => new(BinaryData.FromObjectAsJson(message)) { MessageId = message.MessageId };

        private void Fault(string operation, string messageId)
        {
            var index = faults.FindIndex(f => f.Operation == operation && f.MessageId == messageId);
            if (index >= 0)
            {
                var failure = faults[index].Failure;
                faults.RemoveAt(index);
                throw failure;
            }
        }

        private sealed class Sender(LockingBroker broker) : ServiceBusSender
        {
            public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
            {
                broker.Sent.Add(message);
                return Task.CompletedTask;
            }

            public override Task<long> ScheduleMessageAsync(ServiceBusMessage message, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
            {
                broker.Sent.Add(message);
                return Task.FromResult(0L);
            }
        }

        private sealed class Receiver(LockingBroker broker, List<Entry> queue) : ServiceBusReceiver
        {
            public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
            {
                var now = broker.Clock.GetUtcNow();
                var batch = new List<ServiceBusReceivedMessage>();
                foreach (var entry in queue.Where(e => e.LockedUntil is null || e.LockedUntil <= now).Take(maxMessages))
                {
                    if (entry.LockedUntil is not null)
                    {
                        entry.DeliveryCount++; // an expired lock counts the delivery
                    }
                    entry.LockToken = Guid.NewGuid();
                    entry.LockedUntil = now + LockDuration;
                    var properties = entry.DeadLetterReason is null ? null : new Dictionary<string, object> { ["DeadLetterReason"] = entry.DeadLetterReason };
                    batch.Add(ServiceBusModelFactory.ServiceBusReceivedMessage(entry.Message.Body, entry.MessageId, deliveryCount: entry.DeliveryCount + 1,
                        lockTokenGuid: entry.LockToken, lockedUntil: entry.LockedUntil.Value, properties: properties));
                }
                return Task.FromResult<IReadOnlyList<ServiceBusReceivedMessage>>(batch);
            }

            public override Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
            {
                broker.Fault("renew", message.MessageId);
                Locked(message).LockedUntil = broker.Clock.GetUtcNow() + LockDuration;
                broker.Renewed.Add(message.MessageId);
                return Task.CompletedTask;
            }

            public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
            {
                broker.Clock.Advance(broker.WorkPerSettle);
                broker.Fault("complete", message.MessageId);
                queue.Remove(Locked(message));
                return Task.CompletedTask;
            }

            public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default)
            {
                var entry = Locked(message);
                entry.LockedUntil = null;
                entry.DeliveryCount++;
                broker.Abandoned.Add(message.MessageId);
                return Task.CompletedTask;
            }

            public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
            {
                var entry = Locked(message);
                queue.Remove(entry);
                broker.DeadLetters.Add(new Entry(entry.Message, deadLetterReason));
                return Task.CompletedTask;
            }

            /// <summary>The entry this lock token still holds, or MessageLockLost as Service Bus answers.</summary>
            private Entry Locked(ServiceBusReceivedMessage message) =>
                queue.SingleOrDefault(e => e.LockToken.ToString() == message.LockToken && e.LockedUntil > broker.Clock.GetUtcNow())
                ?? throw new ServiceBusException("The lock supplied is invalid.", ServiceBusFailureReason.MessageLockLost);
        }
    }
}
