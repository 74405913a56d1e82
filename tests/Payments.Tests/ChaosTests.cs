using GatewaySimulator;
using Grpc.Net.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Contracts;
using Payments.Demo.Driving;
using Payments.Demo.Invariants;
using Payments.Demo.Reporting;
using Payments.LocalHost;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Payments.Tests;

/// <summary>
/// The pipeline under heavy faults at every layer at once, with its host SIGKILLed mid-run and
/// restarted onto the next saga version (a deploy while sagas are in flight). This test is the demo's driver: it plays the order service and the customers
/// against a local host in a separate process, then checks every invariant on what is left.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Orders = 44;
    private static readonly TimeSpan PaymentWindow = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Generous on purpose (a wait, never an assertion on time): after the kill, work the dead worker
    /// had dequeued comes back once its queue visibility (LocalHost:QueueVisibilitySeconds) and its
    /// partition leases expire; on a busy 2-core machine everything after that is slow too.
    /// </summary>
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Under_heavy_faults_and_a_host_killed_mid_run_and_restarted_on_a_new_saga_version_every_invariant_holds()
    {
        var started = DateTimeOffset.UtcNow;
        var port = FreePort.Next();
        var grpcPort = FreePort.Next();
        var prefix = "tchaos" + Guid.NewGuid().ToString("N")[..6];
        await using var gateway = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            CallbackBaseUrl = $"http://127.0.0.1:{port}",
            StandardSecret = TestWebhooks.StandardSecret(TestWebhooks.StandardKey),
            StripeSecret = TestWebhooks.StripeSecret,
            Seed = 11,
            DuplicateRate = 0.5,
            ReorderRate = 0.3,
            LossRate = 0.15,
            DeliveryDelayMin = TimeSpan.FromMilliseconds(20),
            DeliveryDelayMax = TimeSpan.FromMilliseconds(800),
            ApiErrorRate = 0.05,
            MaxConcurrentDeliveries = 4,
            // A glitched row in the day's CSV statement: isolated and reported, the rest still reconciled.
            MalformedStatementLines = 1,
            // Short enough that some webhooks are abandoned while the host is down: only recovery can settle those.
            RetrySchedule = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)],
        });
        var settings = await ChaosSettingsAsync(prefix, port, grpcPort, gateway);
        settings["Saga:Version"] = SagaVersions.StockMilestones;
        var configuration = LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings);

        var (plans, stock) = OrderPlanner.Plan(new PlannerOptions
        {
            Orders = Orders,
            Seed = 11,
            RegistrationsPerSecond = 3,
            PaymentWindow = PaymentWindow,
            Mix = new Dictionary<CustomerBehaviour, int>
            {
                [CustomerBehaviour.PaysPromptly] = 30,
                [CustomerBehaviour.PaysAroundWindowEnd] = 8,
                [CustomerBehaviour.PaysAfterWindow] = 5,
                [CustomerBehaviour.NeverPays] = 8,
                [CustomerBehaviour.Fails] = 8,
                [CustomerBehaviour.FailsThenPays] = 10,
                [CustomerBehaviour.FailsThenPaysDuringCancel] = 6,
                [CustomerBehaviour.PaysTwice] = 6,
                [CustomerBehaviour.TerminatedAfterPaid] = 4,
                // Not PaysAfterUnclosedCancel: with 10 step attempts here, an unclosable payment's close
                // retries for minutes before the cancel (the demo, with 4, and UnclosedPaymentTests cover it).
                [CustomerBehaviour.PaysWrongAmount] = 8,
                [CustomerBehaviour.PaysBeforeRegistration] = 15,
                [CustomerBehaviour.PaysLongBeforeRegistration] = 8,
                // The money after the checkout, under the same faults: refunds after the sale, in the
                // dashboard, one the gateway accepts and then fails (the operator retries it), and a
                // saga that crashes before its payment is decided while its customer pays anyway.
                [CustomerBehaviour.RefundedAfterSale] = 4,
                [CustomerBehaviour.RefundedInDashboard] = 3,
                [CustomerBehaviour.RefundFailsAfterSale] = 3,
                [CustomerBehaviour.TerminatedBeforePayment] = 3,
            },
            ScarceShare = 0.1,
            ScarceStock = 2,
            BrokenShare = 0.1,
        });

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        await using var durable = new GrpcDurableTaskClient("chaos", new GrpcDurableTaskClientOptions { Channel = channel }, NullLogger.Instance);
        await using var access = PipelineAccess.Create(configuration, new Uri($"http://127.0.0.1:{port}/"), gateway, durable);
        LocalHostProcess? host = await LocalHostProcess.StartAsync(settings, port);
        var hostOutput = new List<string>();
        try
        {
            await new OperatorDesk(access).SetStockAsync(stock);
            // The order service is down for a stretch early on: those registrations wait while their payments and webhooks go on.
            var outage = new OrderServiceOutage(access.Storage, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)) { QueueName = configuration["Lane:QueueName"] ?? "retry-lane" };
            using var stopOutageWatch = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var outageWatch = outage.RunAsync(System.Diagnostics.Stopwatch.StartNew(), stopOutageWatch.Token);
            var driver = new CustomerDriver(access, outage);
            var driving = driver.RunAsync(plans);

            // Kill it while orders are still being registered, paid and recovered; start it again.
            await WaitUntilAsync(() => driver.Registered >= Orders / 2 || driving.IsCompleted, TimeSpan.FromMinutes(3));
            host.Kill();
            hostOutput.Add(host.Output);
            host.Dispose();
            host = null;
            output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} killed the host after {driver.Registered} registrations; restarting");
            await Task.Delay(TimeSpan.FromSeconds(2));
            // The deploy: the new host stamps new sagas with the next version and replays the old ones on their own steps.
            settings["Saga:Version"] = SagaVersions.FoldedSteps;
            host = await LocalHostProcess.StartAsync(settings, port);

            var quiescence = new Quiescence(access);
            await quiescence.WaitAsync(plans.Count, () => driving.IsCompleted, QuietTimeout, TimeSpan.FromSeconds(2), s => output.WriteLine(s.ToString()));
            await driving;

            // Before the end of day: every capture already settled by the pipeline's online paths.
            var beforeStatement = await new SnapshotLoader(access.Storage, access.GatewayPort, access.Durable).LoadAsync(gateway.Payments, stock.Levels, started, gatewayRefunds: gateway.Refunds);
            var settledOnline = InvariantChecker.CheckSettledOnline(beforeStatement);
            var unseen = InvariantChecker.UnseenSecondCaptures(beforeStatement);

            var desk = new OperatorDesk(access);
            var refundedBefore = gateway.Payments.Where(p => p.RefundedMinor > 0).Select(p => p.PaymentId).ToHashSet();
            var statements = await desk.ReconcileStatementsAsync(started);
            var redriven = await desk.RedriveAllDeadLettersAsync();
            var refundRetries = await desk.RetryParkedRefundsAsync();
            await quiescence.WaitAsync(plans.Count, () => true, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(2), s => output.WriteLine(s.ToString()));

            var snapshot = await new SnapshotLoader(access.Storage, access.GatewayPort, access.Durable).LoadAsync(gateway.Payments, stock.Levels, started, gatewayRefunds: gateway.Refunds);
            var verdicts = Payments.Demo.DemoRun.WithOnlineChecks(InvariantChecker.Check(snapshot), settledOnline, statements, unseen);
            var (queued, queuedThenApplied) = await InboxJourneys.CountAsync(access.Storage);
            using var report = new StringWriter();
            DemoReport.Write(report, new RunSummary(plans, driver.Tally, gateway.Stats, snapshot, verdicts,
                new RecoveryCounts(null, queued, queuedThenApplied, null, null, redriven.Values.Count(v => v == nameof(RedriveResult.Applied)),
                    snapshot.DeadLetters.Count(l => l.Status == LetterStatus.Parked), null, null, null),
                statements, refundedBefore, redriven, DateTimeOffset.UtcNow - started, null, RefundRetries: refundRetries));
            output.WriteLine(report.ToString());

            Assert.True(verdicts.AllHold, "Invariant violations:\n" + string.Join("\n", verdicts.Violations));
            // Every callback that outran a held registration was applied once the order service was back (none parked: inbox-settled).
            await outageWatch.WaitAsync(TimeSpan.FromMinutes(1));
            output.WriteLine(outage.Summary());
            Assert.True(outage.Drained, outage.Summary());
            // The glitched statement row was isolated: reported by line number and reason, the run finished all the same.
            Assert.Contains(statements, s => s.Finished && s.Malformed is { Count: > 0 });
            // The chaos really happened, and the run went through every kind of ending.
            Assert.True(gateway.Stats is { DuplicatesSent: > 0, EventsLost: > 0 }, $"Faults not exercised: {gateway.Stats}");
            Assert.All(new[] { OrderStatus.Completed, OrderStatus.Cancelled, OrderStatus.Refunded }, status => Assert.Contains(snapshot.Orders, o => o.Status == status));
            Assert.Equal(Orders, snapshot.Orders.Count);
            // Every connector the simulator speaks served under chaos: Stripe orders settled through Stripe.net, the simulator's own through its API.
            Assert.All(PaymentProviders.All, provider => Assert.Contains(snapshot.Orders, o => o.Provider == provider && o.Status == OrderStatus.Completed));
            // The new paths really ran: a second capture refunded on arrival, a saga terminated after Paid settled by the reconciler.
            Assert.Contains(snapshot.Orchestrations, o => o.Outcome?.Reason == "second_capture");
            Assert.True(driver.Tally.SagasTerminatedAfterPaid > 0, $"No saga was terminated after Paid: {driver.Tally}");
            Assert.Contains(snapshot.Orders, o => o.Reason == "saga_failed");
            // Sagas of both versions ran to their end across the deploy, none failed.
            var versions = await new DurableTables(settings["AzureWebJobsStorage"]!, settings["DurableTaskHubName"]!).OrderSagaVersionsAsync();
            output.WriteLine("Order sagas by (version, status): " + string.Join(", ", versions.Select(v => $"{v.Key}={v.Value}")));
            Assert.All(new[] { SagaVersions.StockMilestones, SagaVersions.FoldedSteps }, v => Assert.True(versions.GetValueOrDefault((v, "Completed")) > 0, $"No saga of version {v} completed"));
            Assert.DoesNotContain(versions.Keys, k => k.Status == "Failed");
        }
        catch (Exception) when (Dump(host, hostOutput))
        {
            throw;
        }
        finally
        {
            host?.Dispose();
        }
    }

    private static async Task<Dictionary<string, string?>> ChaosSettingsAsync(string prefix, int port, int grpcPort, SimulatorServer gateway)
    {
        var settings = await PipelineHost.SettingsAsync(prefix, port, gateway);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["Gateway:AttemptTimeoutSeconds"] = "3",
            ["LocalHost:RunTimers"] = "true",
            ["LocalHost:DurableGrpcPort"] = grpcPort.ToString(),
            ["LocalHost:LeaseSeconds"] = "5",
            ["Saga:PaymentWindowSeconds"] = ((int)PaymentWindow.TotalSeconds).ToString(),
            // Transient stock faults at 30 % need more attempts than the default 4 to be absorbed reliably (0.3^10 per step).
            ["Saga:ActivityMaxAttempts"] = "10",
            ["Saga:PointsMaxAttempts"] = "4",
            ["RetryLaneSchedule"] = "*/2 * * * * *",
            ["ReconcilerSchedule"] = "*/3 * * * * *",
            ["RefundTrackingSchedule"] = "*/3 * * * * *",
            ["CrashedSagaSweepSchedule"] = "*/3 * * * * *",
            ["FailedRefundSweepSchedule"] = "*/3 * * * * *",
            ["DeadLetterSchedule"] = "*/5 * * * * *",
            ["Reconciler:ActiveQueryAfterSeconds"] = "6",
            ["Reconciler:CrashedSagaGraceSeconds"] = "5",
            ["Reconciler:RefundFirstCheckSeconds"] = "2",
            ["Reconciler:RefundMaxCheckIntervalSeconds"] = "4",
            ["Reconciler:StatementLedgerOnlyMarginSeconds"] = "0",
            ["Lane:BackoffSeconds"] = "1",
            ["Lane:MaxBackoffSeconds"] = "2",
            ["Lane:MaxAttempts"] = "3",
            ["Faults:Seed"] = "11",
            ["Faults:StockTransientFailureRate"] = "0.3",
            ["Faults:PointsTransientFailureRate"] = "0.4",
            ["Faults:IntakeDispatchFailureRate"] = "0.2",
            ["Faults:GatewayTransientFailureRate"] = "0.1",
            ["Faults:PermanentFailureSkus"] = "sku-broken",
            ["Faults:StallingCommitSkus"] = "sku-stall",
        })
        {
            settings[key] = value;
        }
        return settings;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The chaos driver never got to its next kill point.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>On failure, the hosts' output goes to the test log; returns false so the exception still propagates.</summary>
    private bool Dump(LocalHostProcess? host, List<string> earlierHosts)
    {
        foreach (var (text, i) in earlierHosts.Concat(host is null ? [] : [host.Output]).Select((t, i) => (t, i)))
        {
            var lines = text.Split('\n');
            output.WriteLine($"--- host process {i + 1}, last {Math.Min(lines.Length, 80)} lines ---");
            output.WriteLine(string.Join('\n', lines.TakeLast(80)));
        }
        return false;
    }
}
