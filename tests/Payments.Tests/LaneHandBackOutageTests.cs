using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.Hosting;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// The retry lane's hand-back during a storage outage (the 10,000-message bench's find): the drain
/// meets the outage while dispatching, and the hand-back (abandon) of that very message times out
/// too. The drain still ends with a report, hands back the rest of its batch at once, and the message
/// it could not hand back comes again when its lease runs out and is applied once. The lane is a
/// double with Storage Queues' lease rules on a fake clock (a real queue's two-minute lease would make
/// this a two-minute test); inbox and saga are real (Azurite, Durable's in-memory engine).
/// </summary>
public sealed class LaneHandBackOutageTests
{
    [Fact]
    public async Task A_hand_back_that_meets_the_outage_too_is_logged_the_drain_goes_on_and_the_message_is_applied_once_after_its_lease()
    {
        await using var durable = await InMemoryDurable.StartAsync(
            r => r.AddOrchestratorFunc<object?, PaymentEvent?>("AwaitPayment", async (context, _) => await context.WaitForExternalEvent<PaymentEvent>(PaymentEvent.SagaEventName)),
            concurrency: 2);
        var queue = new LeasingQueue(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var prefix = "handback" + Guid.NewGuid().ToString("N")[..8];
        await using var up = await LanePipeline.StartAsync(prefix, queue, storageDown: false);
        await using var down = await LanePipeline.StartAsync(prefix, queue, storageDown: true);
        string[] ids = ["hb-1", "hb-2", "hb-3"];
        foreach (var id in ids)
        {
            var paymentEvent = await up.StoreAsync(id);
            await durable.Client.ScheduleNewOrchestrationInstanceAsync("AwaitPayment", null, new StartOrchestrationOptions(OrderSaga.InstanceId(paymentEvent.OrderId)));
            queue.Send(LaneMessage.For(paymentEvent, attempt: 1, queuedAt: DateTimeOffset.UtcNow));
        }
        // Storage is down: the first message's dispatch cannot read its callback, and its hand-back times out as well.
        queue.FailAbandonOnce("standard:hb-1", LeasingQueue.StorageTimeout());

        var during = await down.RetryLane.DrainAsync(durable.Client);

        // No exception escaped: the whole batch is counted as handed back, and the rest of it really was.
        Assert.Equal(new LaneDrainReport(0, 0, 0, Abandoned: 3, LocksLost: 0), during);
        Assert.Equal(["standard:hb-2", "standard:hb-3"], queue.Visible());
        var logged = down.Logs.GetSnapshot();
        Assert.Contains(logged, r => r.Id.Id == 3006 && r.Message.Contains("standard:hb-1", StringComparison.Ordinal));
        var abandonFailed = Assert.Single(logged, r => r.Id.Id == 3013);
        Assert.Contains("standard:hb-1", abandonFailed.Message, StringComparison.Ordinal);
        Assert.IsType<AggregateException>(abandonFailed.Exception);

        // Storage is back: the next drain applies what was handed back; the held message is not due yet.
        var after = await up.RetryLane.DrainAsync(durable.Client);
        Assert.Equal(new LaneDrainReport(Applied: 2, Retried: 0, DeadLettered: 0), after);
        Assert.Equal(["standard:hb-1"], queue.Leased());

        // Its lease runs out by itself: delivered again (a second dequeue), applied, nothing lost or doubled.
        queue.Clock.Advance(LeasingQueue.LeaseTime + TimeSpan.FromSeconds(1));
        var late = await up.RetryLane.DrainAsync(durable.Client);
        Assert.Equal(new LaneDrainReport(Applied: 1, Retried: 0, DeadLettered: 0), late);
        Assert.Equal(2, queue.Completed["standard:hb-1"]);
        Assert.Empty(queue.Visible());
        Assert.Empty(queue.Leased());
        Assert.Empty(queue.DeadLetters);
        foreach (var id in ids)
        {
            Assert.Equal(InboxState.Raised, (await up.Inbox.GetAsync("standard", id))!.State);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var saga = await durable.Client.WaitForInstanceCompletionAsync(OrderSaga.InstanceId("order-" + id), getInputsAndOutputs: true, patience.Token);
            Assert.Equal(id, saga.ReadOutputAs<PaymentEvent>()!.EventId);
        }
    }

    /// <summary>The core's retry lane over <see cref="LeasingQueue"/>, with the inbox on Azurite (or on a port nothing listens on) and logs collected.</summary>
    private sealed class LanePipeline(ServiceProvider services) : IAsyncDisposable
    {
        public RetryLane RetryLane => services.GetRequiredService<RetryLane>();

        public InboxStore Inbox => services.GetRequiredService<InboxStore>();

        public FakeLogCollector Logs => services.GetRequiredService<FakeLogCollector>();

        public static async Task<LanePipeline> StartAsync(string prefix, LeasingQueue queue, bool storageDown)
        {
            var settings = await PipelineHost.SettingsAsync(prefix, FreePort.Next());
            // One receiver: the batch is followed message by message.
            settings["Lane:DrainConcurrency"] = "1";
            if (storageDown)
            {
                settings["PaymentsStorage:ConnectionString"] = Azurite.Unreachable();
            }
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection().AddFakeLogging().AddPaymentsCore(configuration);
            services.AddSingleton<IMessageLane>(queue);
            return new LanePipeline(services.BuildServiceProvider());
        }

        /// <summary>A payment success stored in the inbox, not yet applied: the lane's drain dispatches it.</summary>
        public async Task<PaymentEvent> StoreAsync(string eventId)
        {
            var paymentEvent = new PaymentEvent("standard", eventId, PaymentEventKind.Succeeded, "pay-" + eventId, "order-" + eventId, 100, "EUR", DateTimeOffset.UtcNow);
            await Inbox.TryAddAsync(new InboxEntry("standard", eventId, "{}"u8.ToArray(), new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Queued, paymentEvent, "payment.succeeded"));
            return paymentEvent;
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }

    /// <summary>
    /// A queue with Storage Queues' rules, in memory on a fake clock: a received message is leased
    /// (invisible) for <see cref="LeaseTime"/>, as <see cref="StorageQueueLane"/> asks; a hand-back
    /// makes it visible at once; an expired lease makes it visible again with its dequeue count kept;
    /// settling with a lease that is gone fails as a lost lock. Hand-backs can be scripted to fail.
    /// </summary>
    private sealed class LeasingQueue(FakeTimeProvider clock) : IMessageLane
    {
        public static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(2);

        private readonly Lock gate = new();
        private readonly List<Entry> entries = [];
        private readonly Dictionary<string, Exception> abandonFaults = [];

        public FakeTimeProvider Clock => clock;

        /// <summary>Completed messages by id, with the dequeue count they were completed at.</summary>
        public Dictionary<string, int> Completed { get; } = [];

        public List<(string MessageId, string Reason)> DeadLetters { get; } = [];

        /// <summary>What Azure.Core raises when every try of a storage call ran into its network timeout.</summary>
        public static Exception StorageTimeout() => new AggregateException(
            "Retry failed after 4 tries.",
            Enumerable.Range(0, 4).Select(_ => new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:00:10.", new TimeoutException())));

        public void FailAbandonOnce(string messageId, Exception failure)
        {
            lock (gate)
            {
                abandonFaults[messageId] = failure;
            }
        }

        public void Send(LaneMessage message, TimeSpan delay = default)
        {
            lock (gate)
            {
                entries.Add(new Entry(message.MessageId, BinaryData.FromObjectAsJson(message)) { VisibleAt = clock.GetUtcNow() + delay });
            }
        }

        public IReadOnlyList<string> Visible()
        {
            lock (gate)
            {
                return [.. entries.Where(e => e.VisibleAt <= clock.GetUtcNow()).Select(e => e.MessageId).Order(StringComparer.Ordinal)];
            }
        }

        public IReadOnlyList<string> Leased()
        {
            lock (gate)
            {
                return [.. entries.Where(e => e.VisibleAt > clock.GetUtcNow()).Select(e => e.MessageId).Order(StringComparer.Ordinal)];
            }
        }

        public Task SendAsync(LaneMessage message, TimeSpan delay, CancellationToken ct)
        {
            Send(message, delay);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ILaneDelivery>> ReceiveAsync(int maxMessages, CancellationToken ct)
        {
            lock (gate)
            {
                var now = clock.GetUtcNow();
                var batch = entries.Where(e => e.VisibleAt <= now).Take(maxMessages).ToList();
                foreach (var entry in batch)
                {
                    entry.DequeueCount++;
                    entry.Receipt = Guid.NewGuid();
                    entry.VisibleAt = now + LeaseTime;
                }
                return Task.FromResult<IReadOnlyList<ILaneDelivery>>([.. batch.Select(e => new Delivery(this, e, e.Receipt, e.DequeueCount))]);
            }
        }

        public Task<IReadOnlyList<ILaneDelivery>> ReceiveDeadLettersAsync(int maxMessages, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<ILaneDelivery>>([]);

        private sealed class Entry(string messageId, BinaryData body)
        {
            public string MessageId => messageId;
            public BinaryData Body => body;
            public DateTimeOffset VisibleAt { get; set; }
            public int DequeueCount { get; set; }
            public Guid Receipt { get; set; }
        }

        private sealed class Delivery(LeasingQueue queue, Entry entry, Guid receipt, int dequeueCount) : ILaneDelivery
        {
            public string MessageId => entry.MessageId;

            public int DeliveryCount => dequeueCount;

            public BinaryData Body => entry.Body;

            public string? DeadLetterReason => null;

            public string? DeadLetterDescription => null;

            public Task KeepLockAsync(CancellationToken ct) => Task.CompletedTask;

            public Task CompleteAsync(CancellationToken ct)
            {
                lock (queue.gate)
                {
                    queue.entries.Remove(Leased());
                    queue.Completed[entry.MessageId] = dequeueCount;
                }
                return Task.CompletedTask;
            }

            public Task DeadLetterAsync(string reason, string description, CancellationToken ct)
            {
                lock (queue.gate)
                {
                    queue.entries.Remove(Leased());
                    queue.DeadLetters.Add((entry.MessageId, reason));
                }
                return Task.CompletedTask;
            }

            public Task AbandonAsync(CancellationToken ct)
            {
                lock (queue.gate)
                {
                    if (queue.abandonFaults.Remove(entry.MessageId, out var failure))
                    {
                        throw failure;
                    }
                    Leased().VisibleAt = queue.Clock.GetUtcNow();
                }
                return Task.CompletedTask;
            }

            /// <summary>The entry while this delivery's lease holds it, or a lost lock as the real adapter reports a 404 or pop-receipt mismatch.</summary>
            private Entry Leased() =>
                entry.Receipt == receipt && entry.VisibleAt > queue.Clock.GetUtcNow() && queue.entries.Contains(entry)
                    ? entry
                    : throw new LaneLockLostException(entry.MessageId, new InvalidOperationException("The lease is gone."));
        }
    }
}
