using System.Diagnostics;
using System.Net.Http.Json;
using Azure.Storage.Queues;
using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Contracts;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Polly;
using Polly.Retry;

namespace Payments.Benchmarks.Recovery;

/// <summary>
/// Issue 15's target: the retry lane drains a backlog whose orders all exist at ≥ 0.5× the rate of a
/// bare receive + delete loop on the same queue service (the same Azurite). The backlog's callbacks
/// are late duplicates for orders whose sagas completed, so each goes the lane's whole way (inbox
/// read, saga look-up on the real Durable backend, inbox mark, delete) and has no effect to wait for.
/// The bare loop is one receiver taking 32 at a time and deleting each, the loop the old timer
/// drain was; it is also run with as many receivers as the drain has, for the per-message cost.
/// </summary>
public static class BacklogBench
{
    private const string Suite = "backlog";

    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        var prefix = env.NewPrefix("lane");
        var messages = options.BacklogMessages;
        await using var host = await env.StartHostAsync(prefix, s =>
        {
            s["Lane:DrainConcurrency"] = options.BacklogConcurrency.ToString();
            s["Lane:DrainSeconds"] = "240";
            s["Lane:ScaleOutWorkers"] = "0";
        });

        var stopwatch = Stopwatch.StartNew();
        log.WriteLine($"  backlog: {options.BacklogOrders} orders to completion, then {messages} lane messages for them");
        var orders = await CompleteOrdersAsync(env, host, prefix, options.BacklogOrders);
        // One backlog in Azurite at a time: its in-memory queues slow with the messages they hold, so each
        // loop empties its own queue before the next is filled, and the lane is seeded last. Filled on a
        // client with a long timeout and few sends at once: a 16-wide fill beside the polling host once
        // met the storage clients' 10 s timeout.
        log.WriteLine($"  backlog: orders completed ({stopwatch.Elapsed.TotalSeconds:0} s); bare loop, 1 receiver");
        var bare = await BareLoopAsync(env, prefix + "-bare1", messages, receivers: 1);
        log.WriteLine($"  backlog: bare loop, {options.BacklogConcurrency} receivers ({stopwatch.Elapsed.TotalSeconds:0} s)");
        var bareWide = await BareLoopAsync(env, prefix + "-bare" + options.BacklogConcurrency, messages, receivers: options.BacklogConcurrency);
        log.WriteLine($"  backlog: seeding the lane ({stopwatch.Elapsed.TotalSeconds:0} s)");
        await SeedLaneAsync(host, orders, messages);
        log.WriteLine($"  backlog: lane seeded ({stopwatch.Elapsed.TotalSeconds:0} s); draining");

        var lane = host.Services.GetRequiredService<RetryLane>();
        var drained = 0;
        var drain = await TimeAsync(async () =>
        {
            // One drain empties it unless it outlasts its budget or meets a storage outage (a loaded Azurite
            // timing out); then the next one goes on, as the timer's would, until every message is applied.
            var giveUp = Stopwatch.StartNew();
            while (drained < messages && giveUp.Elapsed < TimeSpan.FromMinutes(10))
            {
                var run = await lane.DrainAsync(host.Durable);
                drained += run.Applied;
                if (run.Abandoned > 0)
                {
                    report.Finding(Suite, $"A drain met a storage timeout and handed back {run.Abandoned} messages; the next drain took them.");
                }
                if (run.Settled == 0)
                {
                    // An empty lane ends the drain even if a few applies went uncounted (a settle that reached
                    // a loaded Azurite but timed out on the way back is not counted as applied, and its
                    // message is gone): waiting for the count to reach the backlog then only ran out the give-up.
                    if (await host.Services.GetRequiredService<IMessageLane>().CountAsync(CancellationToken.None) == 0)
                    {
                        break;
                    }
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
        });
        if (drained != messages)
        {
            report.Finding(Suite, $"The drain applied {drained} of {messages} messages.");
        }

        Add(report, "bare receive+delete loop, 1 receiver", messages, bare);
        Add(report, $"bare receive+delete, {options.BacklogConcurrency} receivers", messages, bareWide);
        Add(report, $"lane drain, {options.BacklogConcurrency} receivers", drained, drain);
        var ratio = (drained / drain.TotalSeconds) / (messages / bare.TotalSeconds);
        report.Add(Suite, "lane drain vs bare loop", "ratio", ratio, "x");
        report.Add(Suite, "lane drain vs bare, same receivers", "ratio", (drained / drain.TotalSeconds) / (messages / bareWide.TotalSeconds), "x");
        report.Finding(Suite, $"Lane drain {drained / drain.TotalSeconds:0} msg/s vs bare loop {messages / bare.TotalSeconds:0} msg/s: {ratio:0.00}x (target >= 0.5x). " +
            "Against a bare loop with as many receivers, the gap is the drain's per-message work (inbox read and mark, saga look-up): about four storage calls to the bare loop's one.");
    }

    private static void Add(BenchReport report, string @case, int count, TimeSpan elapsed)
    {
        report.Add(Suite, @case, "messages/s", count / elapsed.TotalSeconds, "msg/s");
        report.Add(Suite, @case, "time to empty", elapsed.TotalSeconds, "s");
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> run)
    {
        var watch = Stopwatch.StartNew();
        await run();
        return watch.Elapsed;
    }

    /// <summary>Fills a queue of its own (untimed), then times receivers emptying it.</summary>
    private static async Task<TimeSpan> BareLoopAsync(BenchEnvironment env, string name, int messages, int receivers)
    {
        var queue = await BareQueueAsync(env, name, messages);
        return await TimeAsync(() => ReceiveAndDeleteAllAsync(queue, receivers));
    }

    private static async Task ReceiveAndDeleteAllAsync(QueueClient queue, int receivers) =>
        await Task.WhenAll(Enumerable.Range(0, receivers).Select(async _ =>
        {
            while (true)
            {
                // The lane's lease (two minutes), so a slow batch on a loaded machine keeps its messages.
                var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(2))).Value;
                if (batch.Length == 0)
                {
                    return;
                }
                foreach (var message in batch)
                {
                    try
                    {
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    }
                    catch (Azure.RequestFailedException ex) when (ex.Status == 404 || ex.ErrorCode == "PopReceiptMismatch")
                    {
                        // Its lease ran out and another receiver has it: that one deletes it.
                    }
                }
            }
        }));

    /// <summary>A queue holding <paramref name="messages"/> lane-sized messages, on a client patient enough for a loaded Azurite.</summary>
    private static async Task<QueueClient> BareQueueAsync(BenchEnvironment env, string name, int messages)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(60);
        var queue = new QueueClient(env.Azurite.ConnectionString, name, options);
        await queue.CreateIfNotExistsAsync();
        await Parallel.ForAsync(0, messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await queue.SendMessageAsync(BinaryData.FromObjectAsJson(new LaneMessage(LaneMessage.CurrentVersion, "standard", $"bare{i}", "bare", 1)), cancellationToken: ct));
        return queue;
    }

    // Seeding 10,000 messages beside a polling host can meet a storage timeout on a loaded machine: the
    // inbox insert is idempotent, so a timed-out pair is simply written again.
    private static readonly ResiliencePipeline SeedRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 5, Delay = TimeSpan.FromSeconds(1), BackoffType = DelayBackoffType.Exponential })
        .Build();

    /// <summary>Callbacks stored as queued in the inbox, each with its lane message due now: the state an outage leaves.</summary>
    private static Task SeedLaneAsync(LocalFunctionsHost host, IReadOnlyList<OrderRequest> orders, int messages)
    {
        var inbox = host.Services.GetRequiredService<InboxStore>();
        var lane = host.Services.GetRequiredService<IMessageLane>();
        var now = DateTimeOffset.UtcNow;
        return Parallel.ForAsync(0, messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var order = orders[i % orders.Count];
            var paymentEvent = new PaymentEvent("standard", $"backlog{i}", PaymentEventKind.Succeeded, order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, now);
            var entry = new InboxEntry("standard", paymentEvent.EventId, [], new Dictionary<string, string>(), now, InboxState.Queued, paymentEvent, "payment.succeeded");
            // A send that timed out after Azurite took it is sent again: the drain applies the duplicate as a no-op.
            var sent = false;
            await SeedRetry.ExecuteAsync(async token =>
            {
                await inbox.TryAddAsync(entry, token);
                if (!sent)
                {
                    await lane.SendAsync(LaneMessage.For(paymentEvent, 1, now), TimeSpan.Zero, token);
                    sent = true;
                }
            }, ct);
        });
    }

    private static async Task<IReadOnlyList<OrderRequest>> CompleteOrdersAsync(BenchEnvironment env, LocalFunctionsHost host, string prefix, int count)
    {
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var gateway = new HttpClient { BaseAddress = env.Gateway.BaseAddress };
        var orders = Enumerable.Range(0, count).Select(j => $"{prefix}-{j}")
            .Select(id => new OrderRequest(id, "cust-" + id, [new OrderLine("sku-" + id, 1)], 2500, "EUR", "standard", "pay-" + id)).ToArray();
        await Task.WhenAll(orders.Select(async order =>
        {
            await host.Services.GetRequiredService<StockLedger>().SetLevelAsync(order.Lines[0].Sku, 1);
            using (var created = await gateway.PostAsJsonAsync("v1/payments", new { paymentId = order.PaymentId, orderId = order.OrderId, amountMinor = order.AmountMinor, currency = order.Currency, provider = order.Provider }))
            {
                created.EnsureSuccessStatusCode();
            }
            using (var registered = await http.PostAsJsonAsync("api/orders", order))
            {
                registered.EnsureSuccessStatusCode();
            }
            // Paid once the saga runs: a success for a saga still Pending goes to the retry lane, which this host does not drain.
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                await host.Durable.WaitForInstanceStartAsync(OrderSaga.InstanceId(order.OrderId), started.Token);
            }
            var body = SignedCallbacks.Body("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor);
            using (var paid = await http.SendAsync(SignedCallbacks.Post(new Uri(host.BaseAddress, "api/callbacks/standard"), $"msg_{order.OrderId}", body)))
            {
                paid.EnsureSuccessStatusCode();
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var done = await host.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(order.OrderId), getInputsAndOutputs: true, cts.Token);
            if (done.ReadOutputAs<SagaOutcome>()?.Status != OrderStatus.Completed)
            {
                throw new InvalidOperationException($"Order {order.OrderId} ended {done.RuntimeStatus}, not Completed.");
            }
        }));
        return orders;
    }
}
