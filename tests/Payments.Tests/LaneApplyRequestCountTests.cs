using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Benchmarks.Requests;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Issue 15, the drain's cost per message, counted at the storage wire: a lane message whose order now
/// exists is applied with one inbox read and ONE inbox write (the row moved to its applied state, its
/// index row with it, and the attempt's note appended), and a row changed since it was read falls back
/// to marking and noting the reading way.
/// </summary>
public sealed class LaneApplyRequestCountTests(CountedPipelineFixture fixture) : IClassFixture<CountedPipelineFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private InboxStore Inbox => Pipeline.Service<InboxStore>();

    [Fact]
    public async Task A_drained_message_is_applied_with_one_inbox_write_that_moves_the_row_and_notes_the_attempt()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-lanecut", 5);
        var order = await Pipeline.RegisterOrderAsync("lanecut1", sku: "sku-lanecut");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        // The callback rode the lane while the order was unknown (queued, with a gateway delivery noted); now its order exists.
        var paymentEvent = new PaymentEvent("standard", "msg_lanecut1_paid", PaymentEventKind.Succeeded, order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, DateTimeOffset.UtcNow);
        await Inbox.TryAddAsync(new InboxEntry("standard", paymentEvent.EventId, [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Queued, paymentEvent, null,
            [new CallbackDelivery(DateTimeOffset.UtcNow, "gateway", "stored")]));
        var queue = await Pipeline.Service<PaymentsStorage>().QueueAsync("retry-lane");
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(LaneMessage.For(paymentEvent, 1, DateTimeOffset.UtcNow)));

        var before = fixture.Proxy.Snapshot();
        var report = await Lane().DrainAsync(Pipeline.Durable);
        var during = Counted(before);

        Assert.Equal(1, report.Applied);
        Assert.Equal(1, during("intake: inbox", StorageRequestClassifier.Read));
        Assert.Equal(1, during("intake: inbox", StorageRequestClassifier.Write)); // mark + index move + note, one transaction
        // The saga's look: one instances-table read; its input and output are inline there, no blob read.
        Assert.Equal(1, during("durable: instances table", StorageRequestClassifier.Read));
        Assert.Equal(0, during("durable: large messages", StorageRequestClassifier.Read));

        var row = await Inbox.GetAsync("standard", paymentEvent.EventId);
        Assert.Equal(InboxState.Raised, row!.State);
        Assert.Equal(["gateway", "retry-lane attempt 1"], row.Deliveries!.Select(d => d.Source));
        Assert.Equal("applied", row.Deliveries![^1].Answer);
        Assert.StartsWith("!raised|", row.IndexKey);
        Assert.Contains(("standard", paymentEvent.EventId), await IndexAsync("!raised|"));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task A_row_changed_since_the_drain_read_it_is_marked_and_noted_the_reading_way()
    {
        var paymentEvent = new PaymentEvent("standard", "msg_lanecut2_paid", PaymentEventKind.Succeeded, "pay-lanecut2", "lanecut2", 1500, "EUR", DateTimeOffset.UtcNow);
        await Inbox.TryAddAsync(new InboxEntry("standard", paymentEvent.EventId, [], new Dictionary<string, string>(), DateTimeOffset.UtcNow, InboxState.Received, paymentEvent, null));
        var read = await Inbox.GetAsync("standard", paymentEvent.EventId);
        Assert.StartsWith(InboxStore.DueIndex, read!.IndexKey);
        // A gateway's duplicate is noted meanwhile: the row's ETag moves on.
        await Inbox.NoteDeliveryAsync("standard", paymentEvent.EventId, new CallbackDelivery(DateTimeOffset.UtcNow, "gateway", "duplicate"));

        var before = fixture.Proxy.Snapshot();
        Assert.True(await Inbox.MarkReadAppliedAsync(read, InboxState.Dispatched, new CallbackDelivery(DateTimeOffset.UtcNow, "retry-lane attempt 2", "applied")));
        var during = Counted(before);

        Assert.Equal(2, during("intake: inbox", StorageRequestClassifier.Read)); // the fallback: the mark's read and the note's read
        var row = await Inbox.GetAsync("standard", paymentEvent.EventId);
        Assert.Equal(InboxState.Dispatched, row!.State);
        Assert.Equal(["gateway", "retry-lane attempt 2"], row.Deliveries!.Select(d => d.Source)); // the duplicate's note is kept
        Assert.StartsWith(InboxStore.SettledIndex, row.IndexKey);
        var due = await IndexAsync(InboxStore.DueIndex);
        Assert.DoesNotContain(("standard", paymentEvent.EventId), due);
    }

    private async Task<List<(string Provider, string EventId)>> IndexAsync(string prefix)
    {
        var listed = new List<(string, string)>();
        await foreach (var entry in Inbox.ReadIndexAsync(prefix, DateTimeOffset.UtcNow.AddMinutes(1)))
        {
            listed.Add(entry);
        }
        return listed;
    }

    private RetryLane Lane() =>
        ActivatorUtilities.CreateInstance<RetryLane>(Pipeline.Host.Services, Options.Create(new LaneOptions
        {
            BatchSize = 32, DrainConcurrency = 1, DrainSeconds = 60, BackoffSeconds = 300, MaxBackoffSeconds = 300,
        }));

    /// <summary>Requests since <paramref name="before"/> of one step and kind.</summary>
    private Func<string, string, long> Counted(IReadOnlyDictionary<StorageRequestKey, long> before)
    {
        var now = fixture.Proxy.Snapshot();
        return (step, kind) => now.Where(p => p.Key.Step == step && p.Key.Kind == kind).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
    }
}
