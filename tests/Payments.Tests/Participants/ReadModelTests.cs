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

    [Fact]
    public async Task A_record_carried_on_the_registration_s_etag_after_the_row_moved_on_reads_it_again_and_never_goes_backwards()
    {
        var book = new OrderBook(await LedgerStorage.CreateAsync("book"), TimeProvider.System);
        var registered = await book.TryRegisterRowAsync(Order("carried1"), Guid.NewGuid());
        Assert.False(string.IsNullOrEmpty(registered));
        Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange("carried1", OrderStatus.Paid, null, "Paid", 2500, "EUR")));
        Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange("carried1", OrderStatus.Completed, null, "Completed")));

        // A paused HoldStock's record lands late, carrying the registration's ETag: the row moved on, so the
        // write is refused (412), the row read, and the record found stale.
        Assert.Equal(RecordResult.Stale, await book.ApplyAsync(new OrderStateChange("carried1", OrderStatus.AwaitingPayment, null, "StockReserved"),
            book.CarryRegistered("carried1", registered)));
        Assert.Equal((OrderStatus.Completed, "Completed"), ((await book.GetAsync("carried1"))!.Status, (await book.GetAsync("carried1"))!.Step));

        // On a row nobody touched since, the carried ETag is the row's: the record is written.
        var fresh = await book.TryRegisterRowAsync(Order("carried2"), Guid.NewGuid());
        Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange("carried2", OrderStatus.AwaitingPayment, null, "StockReserved"),
            book.CarryRegistered("carried2", fresh)));
        Assert.Equal("StockReserved", (await book.GetAsync("carried2"))!.Step);
    }

    [Fact]
    public async Task Records_carried_through_one_activity_keep_the_capture_index_in_step_with_the_order_row_and_lose_no_other_write()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var book = new OrderBook(await LedgerStorage.CreateAsync("book"), TimeProvider.System);
        Assert.True(await book.TryRegisterAsync(Order("carry3"), Guid.NewGuid()));
        var row = book.Carry("carry3");
        Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange("carry3", OrderStatus.Paid, null, "Paid", 2500, "EUR"), row));
        Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange("carry3", OrderStatus.Paid, null, "StockCommitted"), row));
        // Another writer between two carried records (the reconciler's note): the next carried write must not
        // overwrite it blindly; its stale ETag fails, the row is read again, and both writes stand.
        await book.MarkRecoveryRaisedAsync("carry3");
        Assert.Equal(RecordResult.Recorded, await book.ApplyAsync(new OrderStateChange("carry3", OrderStatus.Completed, null, "Completed"), row));

        var order = (await book.GetAsync("carry3"))!;
        Assert.Equal((OrderStatus.Completed, 2500L), (order.Status, order.PaidAmountMinor));
        Assert.NotNull(order.RecoveryRaisedAt);
        var captured = Assert.Single(await Collect.AllAsync(book.ListCapturedAsync(start, DateTimeOffset.UtcNow.AddMinutes(1))), p => p.OrderId == "carry3");
        Assert.Equal((OrderStatus.Completed, 2500L, "pay-carry3"), (captured.Status, captured.PaidAmountMinor, captured.PaymentId));
    }

    private static OrderRequest Order(string orderId) =>
        new(orderId, "cust-" + orderId, [new OrderLine("sku-a", 1)], 2500, "EUR", "standard", "pay-" + orderId);
}
