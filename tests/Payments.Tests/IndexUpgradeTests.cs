using Azure.Data.Tables;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Rows written before the (state, time) indexes existed become visible to their readers after the one-off upgrade.</summary>
public sealed class IndexUpgradeTests
{
    [Fact]
    public async Task Legacy_rows_are_indexed_once_and_then_read_relayed_purged_and_redriven_like_new_ones()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "upg" + Guid.NewGuid().ToString("N")[..8] });
        var clock = TimeProvider.System;
        var now = clock.GetUtcNow();
        var inbox = new InboxStore(storage, clock, TimeSpan.FromDays(3), ["stripe"]);
        var letters = new DeadLetterStore(storage, clock);
        var orders = new OrderBook(storage, clock);

        // Rows exactly as the code before the indexes wrote them.
        var inboxTable = await storage.TableAsync(TableNames.Inbox);
        foreach (var (eventId, state, receivedAt) in new[] { ("evt_legacy_received", "Received", now.AddHours(-1)), ("evt_legacy_dispatched", "Dispatched", now.AddDays(-4)) })
        {
            await inboxTable.AddEntityAsync(new TableEntity("stripe", eventId)
            {
                ["EventId"] = eventId, ["Body"] = new byte[] { 1 }, ["SignatureHeaders"] = "{}", ["ReceivedAt"] = receivedAt,
                ["ExpiresAt"] = receivedAt.AddDays(3), ["State"] = state, ["Kind"] = "Succeeded", ["PaymentId"] = "pi_legacy",
                ["OrderId"] = "legacy1", ["AmountMinor"] = 100L, ["Currency"] = "EUR", ["OccurredAt"] = receivedAt,
            });
        }
        await (await storage.TableAsync(TableNames.DeadLetters)).AddEntityAsync(new TableEntity("lane", Uri.EscapeDataString("stripe:evt_legacy_letter"))
        {
            ["LetterId"] = "stripe:evt_legacy_letter", ["Provider"] = "stripe", ["EventId"] = "evt_legacy_letter", ["OrderId"] = "legacy1",
            ["Reason"] = "unknown_order", ["Description"] = "", ["Attempts"] = 5, ["Status"] = "Parked", ["ParkedAt"] = now.AddDays(-1),
        });
        await (await storage.TableAsync(TableNames.Orders)).AddEntityAsync(new TableEntity("legacy1", "order")
        {
            ["CustomerId"] = "c", ["Provider"] = "stripe", ["PaymentId"] = "pi_legacy", ["AmountMinor"] = 100L, ["Currency"] = "EUR",
            ["Status"] = "AwaitingPayment", ["Step"] = "AwaitingPayment", ["RegisteredAt"] = now.AddHours(-1), ["UpdatedAt"] = now.AddHours(-1),
            ["RegistrationId"] = Guid.NewGuid(), ["Lines"] = "[]",
        });

        Assert.Empty(await Collect.AllAsync(inbox.ListUndispatchedAsync(now)));
        Assert.Empty(await Collect.AllAsync(letters.ListRedrivableAsync(null)));
        Assert.Empty(await Collect.AllAsync(orders.ListAwaitingPaymentAsync(now)));

        var upgrade = new IndexUpgrade(inbox, letters, orders);
        Assert.Equal(new IndexUpgradeReport(2, 1, 1), await upgrade.RunAsync());
        Assert.Equal(new IndexUpgradeReport(0, 0, 1), await upgrade.RunAsync()); // nothing new; the order's key is the same

        Assert.Equal("evt_legacy_received", Assert.Single(await Collect.AllAsync(inbox.ListUndispatchedAsync(now))).EventId);
        Assert.Equal("stripe:evt_legacy_letter", Assert.Single(await Collect.AllAsync(letters.ListRedrivableAsync(null))).LetterId);
        Assert.Equal("legacy1", Assert.Single(await Collect.AllAsync(orders.ListAwaitingPaymentAsync(now))).OrderId);
        Assert.Equal(1, await inbox.PurgeExpiredAsync()); // the dispatched one, past its retention
        Assert.Null(await inbox.GetAsync("stripe", "evt_legacy_dispatched"));
    }
}
