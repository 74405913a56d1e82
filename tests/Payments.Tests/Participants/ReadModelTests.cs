using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Participants;

/// <summary>The orders read model never goes backwards: a stale step's write cannot undo a later one, even racing it.</summary>
public sealed class ReadModelTests
{
    [Fact]
    public async Task A_stale_write_of_an_earlier_step_cannot_reopen_a_terminal_order()
    {
        var book = new OrderBook(await LedgerStorage.CreateAsync("book"), TimeProvider.System);
        foreach (var terminal in new[] { OrderStatus.Completed, OrderStatus.Cancelled, OrderStatus.Refunded })
        {
            var orderId = "stale-" + terminal;
            Assert.True(await book.TryRegisterAsync(Order(orderId), Guid.NewGuid()));
            Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange(orderId, OrderStatus.Paid, null, "Paid", 2500, "EUR")));
            Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange(orderId, terminal, "why", terminal.ToString())));

            // The paused worker's copies of earlier steps land late.
            Assert.Equal(RecordResult.Stale, await book.ApplyAsync(new OrderStateChange(orderId, OrderStatus.Paid, null, "Paid", 2500, "EUR")));
            Assert.Equal(RecordResult.Stale, await book.ApplyAsync(new OrderStateChange(orderId, OrderStatus.AwaitingPayment, null, "Registered")));
            // The same step again is a repeat, not a step back.
            Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange(orderId, terminal, "why", terminal.ToString())));

            var row = await book.GetAsync(orderId);
            Assert.Equal((terminal, "why", terminal.ToString()), (row!.Status, row.Reason, row.Step));
        }
    }

    [Fact]
    public async Task Earlier_steps_racing_the_terminal_write_never_win()
    {
        var book = new OrderBook(await LedgerStorage.CreateAsync("book"), TimeProvider.System);
        var orders = Enumerable.Range(0, 20).Select(i => $"race{i}").ToArray();
        await Task.WhenAll(orders.Select(async orderId =>
        {
            await book.TryRegisterAsync(Order(orderId), Guid.NewGuid());
            var writes = new List<Task>();
            for (var copy = 0; copy < 4; copy++)
            {
                writes.Add(Task.Run(() => book.ApplyAsync(new OrderStateChange(orderId, OrderStatus.Paid, null, "Paid", 2500, "EUR"))));
                writes.Add(Task.Run(() => book.ApplyAsync(new OrderStateChange(orderId, OrderStatus.AwaitingPayment, null, "Registered"))));
            }
            writes.Add(Task.Run(() => book.ApplyAsync(new OrderStateChange(orderId, OrderStatus.Completed, null, "Completed"))));
            await Task.WhenAll(writes);
        }));

        foreach (var orderId in orders)
        {
            Assert.Equal(OrderStatus.Completed, (await book.GetAsync(orderId))!.Status);
        }
    }

    private static OrderRequest Order(string orderId) =>
        new(orderId, "cust-" + orderId, [new OrderLine("sku-a", 1)], 2500, "EUR", "standard", "pay-" + orderId);
}
