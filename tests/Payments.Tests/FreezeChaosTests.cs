using System.Diagnostics;
using System.Net.Http.Json;
using GatewaySimulator;
using Grpc.Net.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Contracts;
using Payments.Demo.Driving;
using Payments.Demo.Invariants;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Payments.Tests;

/// <summary>
/// A paused worker (TCC's empty rollback and suspension): host A is frozen with SIGSTOP while its
/// stock, points and read-model steps are in flight, for longer than its queue visibility and
/// partition leases; host B, on the same task hub and tables as Azure would run it, takes the
/// work over and finishes every saga; then A is let go (SIGCONT) and its stale copies run late.
/// Every invariant must hold afterwards: no stock held by a finished order, nothing committed,
/// granted or refunded twice, counts conserved, read model and sagas agreeing.
/// </summary>
public sealed class FreezeChaosTests(ITestOutputHelper output)
{
    private const int QueueVisibilitySeconds = 10;
    private const int LeaseSeconds = 5;
    private const int AddedLatencyMs = 1500;
    private const int PaymentWindowSeconds = 12;
    private const int OrdersPerBatch = 14;

    /// <summary>Longer than both timeouts, so B has to take A's leases and re-run A's dequeued work.</summary>
    private static readonly TimeSpan MinimumFreeze = TimeSpan.FromSeconds(QueueVisibilitySeconds + LeaseSeconds + 5);

    private static readonly Dictionary<string, long> Stock = new()
    {
        ["sku-f1"] = 200,
        ["sku-f2"] = 200,
        ["sku-scarce"] = 3,
        ["sku-broken"] = 50,
    };

    [Fact]
    public async Task A_host_frozen_mid_saga_and_resumed_after_another_took_over_breaks_no_invariant()
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var (portA, portB, grpcA, grpcB) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        var prefix = "tfreeze" + Guid.NewGuid().ToString("N")[..6];
        await using var gateway = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            // Webhooks go to A: while it is frozen they fail, and B's recovery (active query, the saga's own query) settles them.
            CallbackBaseUrl = $"http://127.0.0.1:{portA}",
            StandardSecret = TestWebhooks.StandardSecret(TestWebhooks.StandardKey),
            StripeSecret = TestWebhooks.StripeSecret,
            Seed = 17,
            DuplicateRate = 0.3,
            DeliveryTimeout = TimeSpan.FromSeconds(2),
            MaxConcurrentDeliveries = 16,
            RetrySchedule = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)],
        });
        var settingsA = await SettingsAsync(prefix, portA, grpcA, gateway);
        var settingsB = await SettingsAsync(prefix, portB, grpcB, gateway);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcB}");
        await using var durable = new GrpcDurableTaskClient("freeze", new GrpcDurableTaskClientOptions { Channel = channel }, NullLogger.Instance);
        var configuration = LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settingsB);
        await using var access = PipelineAccess.Create(configuration, new Uri($"http://127.0.0.1:{portB}/"), gateway, durable);
        var ledger = new StockLedger(access.Storage);
        foreach (var (sku, available) in Stock)
        {
            await ledger.SetLevelAsync(sku, available);
        }

        var hostA = await LocalHostProcess.StartAsync(settingsA, portA);
        LocalHostProcess? hostB = null;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{portA}/"), Timeout = TimeSpan.FromSeconds(30) };
            using var gatewayHttp = new HttpClient { BaseAddress = gateway.BaseAddress };
            var orders = Enumerable.Range(0, 2 * OrdersPerBatch).Select(Order).ToArray();

            // Batch 1 registers and pays at once: its commits, grants and records are in flight at the freeze.
            foreach (var order in orders[..OrdersPerBatch])
            {
                await RegisterAsync(http, gatewayHttp, order);
                await PayAsync(gateway, order);
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
            // Batch 2 registers just before the freeze: its reserves are in flight; its customers pay while A is frozen.
            foreach (var order in orders[OrdersPerBatch..])
            {
                await RegisterAsync(http, gatewayHttp, order);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(AddedLatencyMs));

            hostA.Freeze();
            var frozenAt = clock.Elapsed;
            output.WriteLine($"{clock.Elapsed:mm\\:ss} froze host A");
            foreach (var order in orders[OrdersPerBatch..])
            {
                await PayAsync(gateway, order);
            }
            hostB = await LocalHostProcess.StartAsync(settingsB, portB);
            output.WriteLine($"{clock.Elapsed:mm\\:ss} host B is up on the same task hub");

            // B finishes every saga. (Webhooks still aimed at frozen A are left to time out later.)
            await WaitUntilEverySagaFinishedAsync(access, orders);
            output.WriteLine($"{clock.Elapsed:mm\\:ss} host B finished every saga");
            var remaining = MinimumFreeze - (clock.Elapsed - frozenAt);
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining);
            }

            hostA.Resume();
            output.WriteLine($"{clock.Elapsed:mm\\:ss} resumed host A after {(clock.Elapsed - frozenAt).TotalSeconds:F0} s frozen; letting its stale work run");
            // A wait, not an assertion: its stale steps were at most one added latency away from the ledger.
            await Task.Delay(TimeSpan.FromSeconds(QueueVisibilitySeconds + 5));
            hostA.Kill();
            try
            {
                await new Quiescence(access).WaitAsync(orders.Length, () => true, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), s => output.WriteLine(s.ToString()));
            }
            catch (TimeoutException ex)
            {
                // A stale write that turned a finished order back (read model Paid again) never goes quiet; the invariants say which.
                output.WriteLine(ex.Message);
            }

            var snapshot = await new SnapshotLoader(access.Storage, access.GatewayPort, access.Durable).LoadAsync(gateway.Payments, Stock, started, gatewayRefunds: gateway.Refunds);
            var verdicts = InvariantChecker.Check(snapshot);
            foreach (var verdict in verdicts.Verdicts)
            {
                output.WriteLine($"{verdict.Invariant}: {(verdict.Holds ? "holds" : "BROKEN")} ({verdict.Checked} checked)");
            }
            output.WriteLine($"empty rollbacks (released lines never reserved): {snapshot.Reservations.Count(r => r is { State: ReservationState.Released, Quantity: 0 })}");
            output.WriteLine($"{clock.Elapsed:mm\\:ss} done; orders by status: {string.Join(", ", snapshot.Orders.GroupBy(o => (o.Status, o.Reason)).Select(g => $"{g.Key.Status}/{g.Key.Reason}: {g.Count()}"))}");

            Assert.True(verdicts.AllHold, "Invariant violations:\n" + string.Join("\n", verdicts.Violations));
            Assert.Equal(orders.Length, snapshot.Orders.Count);
            Assert.Contains(snapshot.Orders, o => o.Status == OrderStatus.Cancelled);
        }
        catch (Exception) when (Dump(hostA, hostB))
        {
            throw;
        }
        finally
        {
            hostA.Dispose();
            hostB?.Dispose();
        }
    }

    private async Task WaitUntilEverySagaFinishedAsync(PipelineAccess access, IReadOnlyList<OrderRequest> orders)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var book = new OrderBook(access.Storage, TimeProvider.System);
        var parked = new Payments.Storage.ParkedItems(access.Storage, TimeProvider.System);
        while (true)
        {
            var finished = 0;
            foreach (var order in orders)
            {
                var instance = await access.Durable.GetInstanceAsync(Payments.Saga.OrderSaga.InstanceId(order.OrderId));
                // Ended: terminal, or paid with its commit parked after the step's retries ran out under the injected faults.
                if (instance is { RuntimeStatus: Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed }
                    && await book.GetAsync(order.OrderId) is { } row
                    && (InvariantChecker.IsTerminal(row.Status)
                        || row.Status == OrderStatus.Paid && await parked.GetAsync(ParkedKinds.CommitFailed, order.OrderId) is not null))
                {
                    finished++;
                }
            }
            if (finished == orders.Count)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Host B finished {finished} of {orders.Count} sagas.");
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Two lines each; every seventh order of a kind: never pays, fails, pays the wrong amount, has a sku whose commit fails, wants the scarce sku.</summary>
    private static OrderRequest Order(int i)
    {
        var special = (i % 7) switch
        {
            3 => "sku-broken",
            4 => "sku-scarce",
            _ => "sku-f2",
        };
        return new OrderRequest($"frz{i}", $"cust{i % 5}", [new OrderLine("sku-f1", 1 + i % 2), new OrderLine(special, 2)], 1000 + 100 * i, "EUR", "standard", $"pay-frz{i}");
    }

    private static async Task RegisterAsync(HttpClient http, HttpClient gatewayHttp, OrderRequest order)
    {
        using (var created = await gatewayHttp.PostAsJsonAsync("v1/payments", new { order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, order.Provider }))
        {
            created.EnsureSuccessStatusCode();
        }
        using var registered = await http.PostAsJsonAsync("api/orders", order);
        registered.EnsureSuccessStatusCode();
    }

    private static async Task PayAsync(SimulatorServer gateway, OrderRequest order)
    {
        var kind = int.Parse(order.OrderId[3..], System.Globalization.CultureInfo.InvariantCulture) % 7;
        switch (kind)
        {
            case 0:
                break; // never pays: the window closes, the payment is closed, the stock released
            case 1:
                await gateway.FailAsync(order.PaymentId);
                break;
            case 2:
                await gateway.PayAsync(order.PaymentId, order.AmountMinor - 1);
                break;
            default:
                await gateway.PayAsync(order.PaymentId);
                break;
        }
    }

    private static async Task<Dictionary<string, string?>> SettingsAsync(string prefix, int port, int grpcPort, SimulatorServer gateway)
    {
        var settings = await PipelineHost.SettingsAsync(prefix, port, gateway);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["Gateway:AttemptTimeoutSeconds"] = "3",
            ["LocalHost:RunTimers"] = "true",
            ["LocalHost:DurableGrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LocalHost:LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LocalHost:QueueVisibilitySeconds"] = QueueVisibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Saga:PaymentWindowSeconds"] = PaymentWindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Few attempts: some reserves run out of retries, so their saga releases what was never reserved (the empty rollback)
            // while A's frozen copy of the reserve is still to land.
            ["Saga:ActivityMaxAttempts"] = "2",
            // ... which only the ordinary step retry lets happen: the outage retry (saga 4.0) would ride the faults out for minutes.
            ["Saga:StorageOutageMinutes"] = "0",
            ["RetryLaneSchedule"] = "*/2 * * * * *",
            ["ReconcilerSchedule"] = "*/2 * * * * *",
            ["RefundTrackingSchedule"] = "*/2 * * * * *",
            ["CrashedSagaSweepSchedule"] = "*/2 * * * * *",
            ["FailedRefundSweepSchedule"] = "*/2 * * * * *",
            ["DeadLetterSchedule"] = "*/5 * * * * *",
            ["Reconciler:ActiveQueryAfterSeconds"] = "4",
            ["Faults:Seed"] = "17",
            ["Faults:AddedLatencyMs"] = AddedLatencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Faults:StockTransientFailureRate"] = "0.6",
            ["Faults:PointsTransientFailureRate"] = "0.2",
            ["Faults:PermanentFailureSkus"] = "sku-broken",
        })
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>On failure, both hosts' output goes to the test log; returns false so the exception still propagates.</summary>
    private bool Dump(LocalHostProcess hostA, LocalHostProcess? hostB)
    {
        foreach (var (name, host) in new[] { ("A", (LocalHostProcess?)hostA), ("B", hostB) })
        {
            if (host is null)
            {
                continue;
            }
            var lines = host.Output.Split('\n');
            output.WriteLine($"--- host {name}, last {Math.Min(lines.Length, 80)} lines ---");
            output.WriteLine(string.Join('\n', lines.TakeLast(80)));
        }
        return false;
    }
}
