using Payments.Contracts;
using Payments.Hosting;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Inbox rows are kept for the configured retention (at least the gateways' retry horizon), then
/// purged, but only once settled; the relay and the purge read their index, never the whole inbox.
/// </summary>
public sealed class InboxRetentionTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<(InboxStore Inbox, ManualClock Clock)> NewInboxAsync()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "ret" + Guid.NewGuid().ToString("N")[..8] });
        var clock = new ManualClock(Start);
        return (new InboxStore(storage, clock, TimeSpan.FromDays(3), ["stripe", "standard"]), clock);
    }

    private static InboxEntry Ignored(string eventId, DateTimeOffset at) =>
        new("stripe", eventId, [1, 2, 3], new Dictionary<string, string>(), at, InboxState.Ignored, null, "customer.created");

    private static InboxEntry Payment(string eventId, DateTimeOffset at, InboxState state, string provider = "stripe") =>
        new(provider, eventId, [7, 7], new Dictionary<string, string>(), at, state,
            new PaymentEvent(provider, eventId, PaymentEventKind.Succeeded, "pi_" + eventId, "o_" + eventId, 100, "EUR", at), null);

    [Fact]
    public async Task Raised_successes_are_listed_by_the_time_they_were_raised_from_their_index()
    {
        var (inbox, clock) = await NewInboxAsync();
        foreach (var (id, minute) in new[] { ("early", 0), ("during", 5), ("late", 10) })
        {
            clock.Now = Start.AddMinutes(minute);
            await inbox.TryAddAsync(Payment(id, clock.Now, InboxState.Received, provider: minute == 5 ? "standard" : "stripe"));
            await inbox.MarkRaisedAsync(minute == 5 ? "standard" : "stripe", id);
        }
        await inbox.MarkDispatchedAsync("stripe", "late"); // settled since: no longer raised

        Assert.Equal(["during"], (await Collect.AllAsync(inbox.ListRaisedBetweenAsync(Start.AddMinutes(1), Start.AddMinutes(20)))).Select(e => e.EventId));
        Assert.Equal(["early"], (await Collect.AllAsync(inbox.ListRaisedBetweenAsync(Start, Start.AddMinutes(5)))).Select(e => e.EventId));
    }

    [Fact]
    public async Task A_raised_row_settled_on_the_index_key_it_was_read_with_moves_once_and_one_moved_meanwhile_is_marked_the_reading_way()
    {
        var (inbox, clock) = await NewInboxAsync();
        await inbox.TryAddAsync(Payment("settle1", clock.Now, InboxState.Received));
        await inbox.MarkRaisedAsync("stripe", "settle1");
        await inbox.TryAddAsync(Payment("settle2", clock.Now, InboxState.Received));
        await inbox.MarkRaisedAsync("stripe", "settle2");
        clock.Now = Start.AddMinutes(1);
        var read = await Collect.AllAsync(inbox.ListRaisedAsync(clock.Now));
        Assert.Equal(["settle1", "settle2"], read.Select(e => e.EventId).Order());

        // settle2 is raised again after the relay read it (its raised index row moves): the read copy is stale.
        clock.Now = Start.AddMinutes(2);
        await inbox.MarkRaisedAsync("stripe", "settle2");
        foreach (var entry in read)
        {
            await inbox.MarkRaisedDispatchedAsync(entry);
        }

        foreach (var id in new[] { "settle1", "settle2" })
        {
            Assert.Equal(InboxState.Dispatched, (await inbox.GetAsync("stripe", id))!.State);
        }
        // No raised index row is left behind for either (the stale one's transaction failed and the reading mark moved it).
        Assert.Empty(await Collect.AllAsync(inbox.ListRaisedAsync(Start.AddDays(1))));
        Assert.Empty(await Collect.AllAsync(inbox.ReadIndexAsync("!raised|", Start.AddDays(1))));
        Assert.Equal(2, (await Collect.AllAsync(inbox.ReadIndexAsync(InboxStore.SettledIndex, Start.AddDays(10)))).Count);
    }

    [Fact]
    public async Task Rows_are_purged_only_after_their_retention()
    {
        var (inbox, clock) = await NewInboxAsync();
        await inbox.TryAddAsync(Ignored("evt_old", clock.Now));
        await inbox.TryAddAsync(Ignored("evt_new", clock.Now.AddDays(2)));

        clock.Now = clock.Now.AddDays(3).AddMinutes(-1);
        Assert.Equal(0, await inbox.PurgeExpiredAsync());

        clock.Now = clock.Now.AddMinutes(2);
        Assert.Equal(1, await inbox.PurgeExpiredAsync());
        Assert.Null(await inbox.GetAsync("stripe", "evt_old"));
        Assert.NotNull(await inbox.GetAsync("stripe", "evt_new"));
    }

    [Fact]
    public async Task Only_settled_rows_are_purged_a_row_the_lane_the_relay_or_a_parked_dead_letter_needs_keeps_its_payload()
    {
        var (inbox, clock) = await NewInboxAsync();
        await inbox.TryAddAsync(Ignored("evt_ignored", clock.Now));
        await inbox.TryAddAsync(Payment("evt_dispatched", clock.Now, InboxState.Received));
        await inbox.MarkDispatchedAsync("stripe", "evt_dispatched");
        await inbox.TryAddAsync(Payment("evt_parked", clock.Now, InboxState.Queued)); // its dead letter is parked
        await inbox.TryAddAsync(Payment("evt_discarded", clock.Now, InboxState.Queued));
        Assert.True(await inbox.MarkDiscardedAsync("stripe", "evt_discarded")); // an operator discarded its dead letter
        await inbox.TryAddAsync(Payment("evt_undispatched", clock.Now, InboxState.Received, provider: "standard")); // the outbox relay's

        clock.Now = clock.Now.AddDays(40);
        Assert.Equal(3, await inbox.PurgeExpiredAsync());

        Assert.Null(await inbox.GetAsync("stripe", "evt_ignored"));
        Assert.Null(await inbox.GetAsync("stripe", "evt_dispatched"));
        Assert.Null(await inbox.GetAsync("stripe", "evt_discarded"));
        Assert.Equal([7, 7], (await inbox.GetAsync("stripe", "evt_parked"))!.Body);
        Assert.Equal([7, 7], (await inbox.GetAsync("standard", "evt_undispatched"))!.Body);

        // Re-driven at last: now it is settled and goes with the next purge (it is past its retention).
        await inbox.MarkDispatchedAsync("stripe", "evt_parked");
        Assert.Equal(1, await inbox.PurgeExpiredAsync());
        Assert.Null(await inbox.GetAsync("stripe", "evt_parked"));
        Assert.Equal(0, await inbox.PurgeExpiredAsync());
    }

    [Fact]
    public async Task A_discard_does_not_unsettle_a_row_that_was_applied_another_way()
    {
        var (inbox, clock) = await NewInboxAsync();
        await inbox.TryAddAsync(Payment("evt_applied", clock.Now, InboxState.Queued));
        await inbox.MarkDispatchedAsync("stripe", "evt_applied");

        Assert.False(await inbox.MarkDiscardedAsync("stripe", "evt_applied"));
        Assert.Equal(InboxState.Dispatched, (await inbox.GetAsync("stripe", "evt_applied"))!.State);
    }

    [Fact]
    public async Task The_outbox_relay_reads_only_the_due_rows_however_much_history_the_inbox_holds()
    {
        var (inbox, clock) = await NewInboxAsync();
        for (var i = 0; i < 40; i++) // history: dispatched, ignored, queued
        {
            await inbox.TryAddAsync(Payment($"evt_hist{i}", clock.Now.AddMinutes(i), InboxState.Received));
            await inbox.MarkDispatchedAsync("stripe", $"evt_hist{i}");
            await inbox.TryAddAsync(Ignored($"evt_ign{i}", clock.Now.AddMinutes(i)));
        }
        await inbox.TryAddAsync(Payment("evt_queued", clock.Now, InboxState.Received));
        await inbox.MarkQueuedAsync("stripe", "evt_queued");
        clock.Now = clock.Now.AddDays(1);
        await inbox.TryAddAsync(Payment("evt_due_a", clock.Now.AddMinutes(-5), InboxState.Received));
        await inbox.TryAddAsync(Payment("evt_due_b", clock.Now.AddMinutes(-1), InboxState.Received, provider: "standard"));
        await inbox.TryAddAsync(Payment("evt_fresh", clock.Now, InboxState.Received)); // intake may still be dispatching it

        var due = await Collect.AllAsync(inbox.ListUndispatchedAsync(clock.Now.AddSeconds(-2)));
        var dueIndex = await Collect.AllAsync(inbox.ReadIndexAsync(InboxStore.DueIndex, DateTimeOffset.MaxValue));

        Assert.Equal(["evt_due_a", "evt_due_b"], due.Select(e => e.EventId).Order());
        // Everything the relay can ever read: one index row per row awaiting dispatch, none for history.
        Assert.Equal(["evt_due_a", "evt_due_b", "evt_fresh"], dueIndex.Select(r => r.EventId).Order());
        var settled = await Collect.AllAsync(inbox.ReadIndexAsync(InboxStore.SettledIndex, DateTimeOffset.MaxValue));
        Assert.Equal(80, settled.Count);
        Assert.DoesNotContain(settled, r => r.EventId == "evt_queued");
    }
}
