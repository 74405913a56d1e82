using System.Net;
using Payments.Benchmarks.Requests;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// What a paid order of saga 3.0 costs the read model, the ledgers and the relay's second look,
/// counted at the storage wire step by step (issue 13: the requests bench's per-order figures, pinned
/// so that a request added back shows here). Each count says where its requests come from.
/// </summary>
public sealed class PaidOrderRequestCountTests(CountedPipelineFixture fixture) : IClassFixture<CountedPipelineFixture>
{
    private const string Read = StorageRequestClassifier.Read;
    private const string Write = StorageRequestClassifier.Write;

    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_paid_order_reads_each_row_it_changes_once_and_refuses_nothing_it_could_have_avoided()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-count", 5);

        var before = fixture.Proxy.Snapshot();
        var refusedBefore = fixture.Proxy.Refusals();
        var order = await Pipeline.RegisterOrderAsync("count1", sku: "sku-count");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        var register = Counted(before);

        // Registration: the awaiting-payment index row, then the order row. HoldStock: its merge, on the ETag the
        // registration's insert returned (handed over in the saga's input), with no read.
        Assert.Equal(0, register("read model: orders", Read));
        Assert.Equal(3, register("read model: orders", Write));
        // The saga's row in the sweeps' index, written before its start: the one write the crashed-saga sweep's bound costs an order.
        Assert.Equal(1, register("recovery: open orchestrations", Write));
        // The reserve reads the level only (the reservation row's insert is the look for it), in one transaction.
        Assert.Equal(1, register("ledger: stock", Read));
        Assert.Equal(1, register("ledger: stock", Write));

        before = fixture.Proxy.Snapshot();
        using (var paid = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_count1_paid",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var pay = Counted(before);

        // Intake's look at the row (the known-order path), then SettlePaidOrder's one read: Paid, StockCommitted and
        // Completed are written on the ETag the previous write returned.
        Assert.Equal(2, pay("read model: orders", Read));
        // Paid + its capture index row, StockCommitted (the index already says Paid), Completed + its capture index row.
        Assert.Equal(5, pay("read model: orders", Write));
        // The commit's check of the reservation (its copy is what the move is guarded by) and the level; one transaction.
        Assert.Equal(2, pay("ledger: stock", Read));
        Assert.Equal(1, pay("ledger: stock", Write));
        // The balance only (the grant row's insert is the look for it); one transaction.
        Assert.Equal(1, pay("ledger: points", Read));
        Assert.Equal(1, pay("ledger: points", Write));

        await Task.Delay(OutboxRelay.SettleTime);
        before = fixture.Proxy.Snapshot();
        var report = await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        var settle = Counted(before);
        Assert.Equal(1, report.RaisedSettled);
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_count1_paid"))!.State);
        // One instance read decides both "has it ended?" and what the payment means for it.
        Assert.Equal(1, settle("durable: instances table", Read));
        // The raised row is moved in one transaction on the index key it was read with, not read again.
        Assert.Equal(1, settle("intake: inbox", Write));

        // The only refusal left in the whole order: the new customer's balance row, not there yet. No stock 404.
        var refused = fixture.Proxy.Refusals()
            .Where(p => p.Value - refusedBefore.GetValueOrDefault(p.Key) > 0 && p.Key.Key.Step.StartsWith("ledger", StringComparison.Ordinal))
            .Select(p => $"{p.Key.Status} {p.Key.Key.Step} x{p.Value - refusedBefore.GetValueOrDefault(p.Key)}");
        Assert.Equal(["404 ledger: points x1"], refused);
    }

    /// <summary>Requests since <paramref name="before"/> of one step and kind.</summary>
    private Func<string, string, long> Counted(IReadOnlyDictionary<StorageRequestKey, long> before)
    {
        var now = fixture.Proxy.Snapshot();
        return (step, kind) => now.Where(p => p.Key.Step == step && p.Key.Kind == kind).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
    }
}
