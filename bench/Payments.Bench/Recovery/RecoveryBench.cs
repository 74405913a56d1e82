using Payments.Benchmarks.Infrastructure;
using Payments.Benchmarks.Reporting;
using Payments.Contracts;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Saga;

namespace Payments.Benchmarks.Recovery;

/// <summary>
/// Recovery latency: how long a lost callback keeps an order from its terminal state, by recovery
/// path and schedule. Each case runs on its own local host (real timers, real Durable timers) whose
/// other recovery timers are parked, so exactly one path can recover the order:
/// <list type="bullet">
/// <item>saga timeout: the webhook is lost; the payment window W closes, the saga queries the gateway, finds it paid.</item>
/// <item>reconciler active query: the webhook is lost; the reconciler timer (every S) queries orders awaiting payment for longer than A.</item>
/// <item>retry lane: the callback arrived before its order was registered; it is re-delivered after back-off B by the drain timer (every S).</item>
/// </list>
/// The two settings of one path run side by side; latencies come from the engine's completion time.
/// </summary>
public static class RecoveryBench
{
    private const string Suite = "recovery";
    // Never within a run: parks a timer so it cannot recover an order on another path's behalf.
    private const string Parked = "0 0 3 1 1 *";

    public static async Task RunAsync(BenchEnvironment env, BenchOptions options, BenchReport report, TextWriter log)
    {
        var k = options.RecoveryOrdersPerCase;
        log.WriteLine($"  recovery: saga timeout, W = {string.Join(", ", options.PaymentWindowSeconds)} s");
        await Task.WhenAll(options.PaymentWindowSeconds.Select(w => RunCaseAsync(env, report, k,
            $"saga timeout, W={w}s", bound: w, settings: s =>
            {
                s["Saga:PaymentWindowSeconds"] = w.ToString();
                s["LocalHost:RunTimers"] = "false";
            },
            spacing: TimeSpan.Zero, LoseWebhookAsync)));

        log.WriteLine($"  recovery: reconciler active query, (after, period) = {string.Join(", ", options.ActiveQueryCases)} s");
        await Task.WhenAll(options.ActiveQueryCases.Select(q => RunCaseAsync(env, report, k,
            $"reconciler active query, A={q.After}s every {q.Period}s", bound: q.After + q.Period, settings: s =>
            {
                s["LocalHost:RunTimers"] = "true";
                s["ReconcilerSchedule"] = $"*/{q.Period} * * * * *";
                s["Reconciler:ActiveQueryAfterSeconds"] = q.After.ToString();
                s["RetryLaneSchedule"] = Parked;
                s["DeadLetterSchedule"] = Parked;
                s["RefundTrackingSchedule"] = Parked;
                s["CrashedSagaSweepSchedule"] = Parked;
                s["FailedRefundSweepSchedule"] = Parked;
            },
            spacing: TimeSpan.FromSeconds((double)q.Period / k), LoseWebhookAsync)));

        log.WriteLine($"  recovery: retry lane, (back-off, period) = {string.Join(", ", options.LaneCases)} s");
        await Task.WhenAll(options.LaneCases.Select(l => RunCaseAsync(env, report, k,
            $"retry lane, back-off {l.Backoff}s, drain every {l.Period}s", bound: l.Backoff + l.Period, settings: s =>
            {
                s["LocalHost:RunTimers"] = "true";
                s["RetryLaneSchedule"] = $"*/{l.Period} * * * * *";
                s["Lane:BackoffSeconds"] = l.Backoff.ToString();
                s["ReconcilerSchedule"] = Parked;
                s["DeadLetterSchedule"] = Parked;
                s["RefundTrackingSchedule"] = Parked;
                s["CrashedSagaSweepSchedule"] = Parked;
                s["FailedRefundSweepSchedule"] = Parked;
            },
            spacing: TimeSpan.FromSeconds((double)l.Period / k), CallbackBeforeOrderAsync)));

        report.Finding(Suite,
            "Each path's latency is set by its schedule, not by processing: saga timeout ~ W; active query ~ A + up to one timer period; " +
            "retry lane ~ back-off + up to one drain period. 'bound' is that schedule sum; the rest is Durable/queue polling (250 ms here) and the saga's own steps.");
    }

    /// <summary>One order losing its callback: returns when the loss happened (the clock recovery latency starts from).</summary>
    private delegate Task<DateTimeOffset> Loss(Case c, OrderRequest order);

    private sealed record Case(BenchEnvironment Env, LocalFunctionsHost Host, HttpClient Http);

    private static async Task RunCaseAsync(BenchEnvironment env, BenchReport report, int orders, string name, double bound,
        Action<Dictionary<string, string?>> settings, TimeSpan spacing, Loss lose)
    {
        var prefix = env.NewPrefix("rec");
        await using var host = await env.StartHostAsync(prefix, s =>
        {
            s["Saga:PaymentWindowSeconds"] = "600";
            settings(s);
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var c = new Case(env, host, http);
        var latency = new Latencies();
        await Task.WhenAll(Enumerable.Range(0, orders).Select(async j =>
        {
            await Task.Delay(spacing * j);
            var id = $"{prefix}-{j}";
            var order = new OrderRequest(id, "cust-" + id, [new OrderLine("sku-" + id, 1)], 2500, "EUR", "standard", "pay-" + id);
            await host.Services.GetRequiredService<StockLedger>().SetLevelAsync(order.Lines[0].Sku, 1);
            var lostAt = await lose(c, order);
            var completedAt = await WaitForTerminalAsync(host, order.OrderId, TimeSpan.FromSeconds(bound + 60));
            latency.Add((completedAt - lostAt).TotalMilliseconds);
        }));
        report.Add(Suite, name, "p50", latency.Percentile(50) / 1000, "s");
        report.Add(Suite, name, "max", latency.Max() / 1000, "s");
        report.Add(Suite, name, "schedule bound", bound, "s");
        report.Add(Suite, name, "orders", latency.Count, "orders");
    }

    /// <summary>The order is registered and waiting; the customer pays; the gateway's webhook is lost (the simulator drops them all).</summary>
    private static async Task<DateTimeOffset> LoseWebhookAsync(Case c, OrderRequest order)
    {
        using (var gateway = new HttpClient { BaseAddress = c.Env.Gateway.BaseAddress })
        using (var created = await gateway.PostAsJsonAsync("v1/payments", new
        {
            paymentId = order.PaymentId, orderId = order.OrderId, amountMinor = order.AmountMinor, currency = order.Currency, provider = order.Provider,
        }))
        {
            created.EnsureSuccessStatusCode();
        }
        await RegisterAsync(c, order);
        await WaitForStepAsync(c.Host, order.OrderId, "AwaitingPayment");
        var lostAt = DateTimeOffset.UtcNow;
        await c.Env.Gateway.PayAsync(order.PaymentId);
        return lostAt;
    }

    /// <summary>The callback outruns the order: intake stores it and puts it on the retry lane; then the order is registered.</summary>
    private static async Task<DateTimeOffset> CallbackBeforeOrderAsync(Case c, OrderRequest order)
    {
        var body = SignedCallbacks.Body("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor);
        using (var response = await c.Http.SendAsync(SignedCallbacks.Post(new Uri(c.Host.BaseAddress, "api/callbacks/standard"), $"msg_{order.OrderId}", body)))
        {
            response.EnsureSuccessStatusCode();
        }
        await RegisterAsync(c, order);
        return DateTimeOffset.UtcNow;
    }

    private static async Task RegisterAsync(Case c, OrderRequest order)
    {
        using var registered = await c.Http.PostAsJsonAsync("api/orders", order);
        registered.EnsureSuccessStatusCode();
    }

    private static async Task WaitForStepAsync(LocalFunctionsHost host, string orderId, string step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await host.Durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains(step, StringComparison.Ordinal) != true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Order {orderId} never reached {step}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the saga to finish Completed; returns the engine's completion time.</summary>
    private static async Task<DateTimeOffset> WaitForTerminalAsync(LocalFunctionsHost host, string orderId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var instance = await host.Durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true);
            if (instance is { IsCompleted: true })
            {
                var outcome = instance.ReadOutputAs<SagaOutcome>();
                return outcome?.Status == OrderStatus.Completed
                    ? instance.LastUpdatedAt
                    : throw new InvalidOperationException($"Order {orderId} ended {instance.RuntimeStatus} {outcome}, not Completed.");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Order {orderId} was not recovered within {timeout.TotalSeconds:0} s.");
            }
            await Task.Delay(100);
        }
    }
}
