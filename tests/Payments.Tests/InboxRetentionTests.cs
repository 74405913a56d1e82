using Payments.Hosting;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Inbox rows are kept for the configured retention (at least the gateways' retry horizon), then purged.</summary>
public sealed class InboxRetentionTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Rows_are_purged_only_after_their_retention()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "ret" + Guid.NewGuid().ToString("N")[..8] });
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var inbox = new InboxStore(storage, clock, TimeSpan.FromDays(3));
        await inbox.TryAddAsync(new InboxEntry("stripe", "evt_old", [1, 2, 3], new Dictionary<string, string>(), clock.Now, InboxState.Ignored, null, "customer.created"));
        await inbox.TryAddAsync(new InboxEntry("stripe", "evt_new", [4], new Dictionary<string, string>(), clock.Now.AddDays(2), InboxState.Ignored, null, "customer.created"));

        clock.Now = clock.Now.AddDays(3).AddMinutes(-1);
        Assert.Equal(0, await inbox.PurgeExpiredAsync());

        clock.Now = clock.Now.AddMinutes(2);
        Assert.Equal(1, await inbox.PurgeExpiredAsync());
        Assert.Null(await inbox.GetAsync("stripe", "evt_old"));
        Assert.NotNull(await inbox.GetAsync("stripe", "evt_new"));
    }
}
