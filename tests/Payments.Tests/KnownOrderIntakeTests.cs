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
/// costs one read of the order's row, the raise, and the inbox insert of a row stored already applied;
/// no Durable status read, no inbox read and no mark after the raise.
/// </summary>
public sealed class KnownOrderIntakeTests(CountedPipelineFixture fixture) : IClassFixture<CountedPipelineFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_callback_for_an_order_whose_saga_runs_is_raised_on_the_order_row_s_word_and_stored_applied_in_one_inbox_write()
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
        Assert.Equal(1, during("intake: inbox", StorageRequestClassifier.Write)); // the insert, of a row stored already dispatched: no mark
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

    [Fact]
    public async Task A_callback_whose_raise_fails_is_stored_unapplied_never_applied_and_the_outbox_relay_applies_it()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-noraise", 5);
        var order = await Pipeline.RegisterOrderAsync("noraise1", sku: "sku-noraise");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        // The Durable backend cannot be reached: the raise fails after the order's row said "running".
        // The callback is still stored and acknowledged, but as received: a row stored raised or
        // dispatched would claim a raise that never happened, and nothing would ever apply it.
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress("http://127.0.0.1:9");
        await using var unreachable = new Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClient("unreachable",
            new Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClientOptions { Channel = channel }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var result = await Pipeline.AcceptStandardAsync("msg_noraise1_paid", TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor), unreachable);

        Assert.Equal("stored", Assert.IsType<Intake.IntakeResult.Acknowledged>(result).Disposition);
        Assert.Equal(InboxState.Received, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_noraise1_paid"))!.State);
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task A_crash_between_the_raise_and_the_insert_is_recovered_by_the_gateway_s_redelivery_and_the_second_raise_changes_nothing()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-crash", 5);
        var order = await Pipeline.RegisterOrderAsync("crash1", sku: "sku-crash");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        var body = TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor);

        // The first delivery's process raised the success and died before storing it: no row, no 200.
        var paymentEvent = new PaymentEvent("standard", "msg_crash1_paid", PaymentEventKind.Succeeded, order.PaymentId, order.OrderId, order.AmountMinor, "EUR", DateTimeOffset.UtcNow);
        Assert.Equal(Saga.OrderRowLook.RaisedToRunningSaga, await Pipeline.Service<Saga.PaymentDispatch>().RaiseBeforeStoringAsync(Pipeline.Durable, paymentEvent));
        Assert.Null(await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_crash1_paid"));

        // Unacknowledged, the gateway delivers it again: stored, acknowledged; the saga settles the payment once.
        using (var again = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_crash1_paid", body)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.NotNull(await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_crash1_paid"));
        Assert.Equal(0, await Pipeline.RefundCountAsync(order.PaymentId));
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_crash1_paid"))!.State);
        Assert.Equal(0, await Pipeline.RefundCountAsync(order.PaymentId));
    }

    [Fact]
    public async Task A_callback_for_an_unregistered_order_goes_to_the_lane_without_a_first_durable_status_read()
    {
        var before = fixture.Proxy.Snapshot();
        using (var early = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_unknown1_paid",
            TestWebhooks.StandardPayment("payment.succeeded", "pay-unknown1", "unknown1", 2500))))
        {
            Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        }
        var during = Counted(before);

        // The order's row is missing, so no saga existed: only the look after listing the callback for the nudge.
        Assert.Equal(1, during("read model: orders", StorageRequestClassifier.Read));
        Assert.Equal(1, during("durable: instances table", StorageRequestClassifier.Read));
        Assert.Equal(0, during("intake: inbox", StorageRequestClassifier.Read)); // the queued mark does not read the row
        Assert.Equal(2, during("intake: inbox", StorageRequestClassifier.Write)); // the insert and the queued mark, one transaction each
        Assert.Equal(InboxState.Queued, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_unknown1_paid"))!.State);
    }

    /// <summary>Requests since <paramref name="before"/> of one step and kind.</summary>
    private Func<string, string, long> Counted(IReadOnlyDictionary<StorageRequestKey, long> before)
    {
        var now = fixture.Proxy.Snapshot();
        return (step, kind) => now.Where(p => p.Key.Step == step && p.Key.Kind == kind).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
    }
}
