using Payments.Contracts;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// The reconciler's active query reads the awaiting-payment index by registration time, so a run
/// reads the orders that are due, not every order ever registered.
/// </summary>
public sealed class AwaitingPaymentIndexTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static OrderRequest Order(string id) => new(id, "cust-" + id, [new OrderLine("sku-idx", 1)], 500, "EUR", "standard", "pay-" + id);

    [Fact]
    public async Task A_run_reads_only_the_due_awaiting_orders_with_old_history_present()
    {
        var azurite = await Azurite.SharedAsync();
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = "idx" + Guid.NewGuid().ToString("N")[..8] });
        var clock = new ManualClock(new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.Zero));
        var book = new OrderBook(storage, clock);
        for (var i = 0; i < 30; i++) // history: paid, cancelled, refunded orders from long ago
        {
            Assert.True(await book.TryRegisterAsync(Order($"hist{i}"), Guid.NewGuid()));
            await book.ApplyAsync(new OrderStateChange($"hist{i}", i % 3 == 0 ? OrderStatus.Cancelled : OrderStatus.Completed, null, "Done"));
        }
        clock.Now = clock.Now.AddDays(30);
        Assert.Empty(await Collect.AllAsync(book.ListAwaitingPaymentAsync(clock.Now))); // an earlier run reads (and drops) them once

        clock.Now = clock.Now.AddDays(1);
        Assert.True(await book.TryRegisterAsync(Order("due1"), Guid.NewGuid()));
        clock.Now = clock.Now.AddMinutes(1);
        Assert.True(await book.TryRegisterAsync(Order("due2"), Guid.NewGuid()));
        Assert.False(await book.TryRegisterAsync(Order("due2"), Guid.NewGuid())); // a second registration adds no index row
        clock.Now = clock.Now.AddMinutes(10);
        Assert.True(await book.TryRegisterAsync(Order("fresh"), Guid.NewGuid()));
        Assert.True(await book.TryRegisterAsync(Order("paid-soon"), Guid.NewGuid()));
        await book.ApplyAsync(new OrderStateChange("paid-soon", OrderStatus.Completed, null, "Completed"));

        var before = book.AwaitingIndexRowsRead;
        var due = await Collect.AllAsync(book.ListAwaitingPaymentAsync(clock.Now.AddMinutes(-2)));

        Assert.Equal(["due1", "due2"], due.Select(o => o.OrderId));
        Assert.Equal(2, book.AwaitingIndexRowsRead - before);
        Assert.Equal(34, (await Collect.AllAsync(book.ListAsync())).Count); // the history is all still there, unread

        clock.Now = clock.Now.AddMinutes(5); // fresh and paid-soon fall due: paid-soon is read once and dropped
        before = book.AwaitingIndexRowsRead;
        Assert.Equal(["due1", "due2", "fresh"], (await Collect.AllAsync(book.ListAwaitingPaymentAsync(clock.Now.AddMinutes(-2)))).Select(o => o.OrderId));
        Assert.Equal(4, book.AwaitingIndexRowsRead - before);
        before = book.AwaitingIndexRowsRead;
        Assert.Equal(3, (await Collect.AllAsync(book.ListAwaitingPaymentAsync(clock.Now.AddMinutes(-2)))).Count);
        Assert.Equal(3, book.AwaitingIndexRowsRead - before);
    }
}
