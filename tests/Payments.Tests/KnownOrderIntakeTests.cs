using System.Net;
using Payments.Benchmarks.Requests;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline whose every storage request (its own and the Durable provider's) goes through a counting proxy.</summary>
public sealed class CountedPipelineFixture : IAsyncLifetime
{
    private PipelineHost? pipeline;
    private CountingStorageProxy? proxy;

    public PipelineHost Pipeline => pipeline ?? throw new InvalidOperationException("Fixture not started.");

    public CountingStorageProxy Proxy => proxy ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        proxy = await CountingStorageProxy.StartAsync(await Azurite.SharedAsync());
        pipeline = await PipelineHost.StartAsync("counted", s =>
        {
            s["AzureWebJobsStorage"] = proxy.ConnectionString;
            s["PaymentsStorage:ConnectionString"] = proxy.ConnectionString;
        });
        proxy.Attribute(pipeline.Prefix, pipeline.Prefix + "hub");
    }

    public async Task DisposeAsync()
    {
        if (pipeline is not null)
        {
            await pipeline.DisposeAsync();
        }
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }
    }
}

/// <summary>
/// The known-order intake path, counted at the storage wire: a callback for an order whose saga runs
/// costs the inbox insert, one read of the order's row, the raise and one inbox write; no Durable
/// status read and no inbox read.
/// </summary>
public sealed class KnownOrderIntakeTests(CountedPipelineFixture fixture) : IClassFixture<CountedPipelineFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_callback_for_an_order_whose_saga_runs_is_raised_on_the_order_row_s_word_without_a_durable_status_read_or_an_inbox_read()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-known", 5);
        var order = await Pipeline.RegisterOrderAsync("known1", sku: "sku-known");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        // A decline: the saga records it and keeps waiting, so no saga step runs while intake is counted.
        var before = fixture.Proxy.Snapshot();
        using (var declined = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_known1_declined",
            TestWebhooks.StandardPayment("payment.failed", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        }
        var during = Counted(before);

        Assert.Equal(0, during("durable: instances table", StorageRequestClassifier.Read));
        Assert.Equal(0, during("intake: inbox", StorageRequestClassifier.Read));
        Assert.Equal(1, during("read model: orders", StorageRequestClassifier.Read));
        Assert.Equal(2, during("intake: inbox", StorageRequestClassifier.Write)); // the insert and the mark, one transaction each
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_known1_declined"))!.State);

        // The saga took the decline and still waits: the success completes the order, raised on the same path.
        using (var paid = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_known1_paid",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(InboxState.Raised, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_known1_paid"))!.State);
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_known1_paid"))!.State);
    }

    [Fact]
    public async Task A_callback_for_an_order_whose_saga_has_ended_still_takes_the_full_look_and_refunds_a_late_payment()
    {
        // No stock: the saga cancels (out of stock) and its row says so; the row is not trusted to raise.
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("ended1", sku: "sku-none");
        Assert.Equal(OrderStatus.Cancelled, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.PayAsync(order.PaymentId);

        var before = fixture.Proxy.Snapshot();
        using (var late = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_ended1_paid",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        }
        Assert.True(Counted(before)("durable: instances table", StorageRequestClassifier.Read) >= 1);
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(Saga.LatePaymentRefund.InstanceId(order.PaymentId), getInputsAndOutputs: true,
            new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, refund.RuntimeStatus);
    }

    /// <summary>Requests since <paramref name="before"/> of one step and kind.</summary>
    private Func<string, string, long> Counted(IReadOnlyDictionary<StorageRequestKey, long> before)
    {
        var now = fixture.Proxy.Snapshot();
        return (step, kind) => now.Where(p => p.Key.Step == step && p.Key.Kind == kind).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
    }
}
