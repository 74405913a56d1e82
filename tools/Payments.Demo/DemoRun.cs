using System.Diagnostics;
using GatewaySimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Demo.Driving;
using Payments.Demo.Invariants;
using Payments.Demo.Reporting;
using Payments.Demo.Stage;
using Payments.Faults;
using Payments.LocalHost;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Demo;

/// <summary>
/// The main job on the embedded default: storage, the local host and the gateway simulator in one
/// process; a few hundred orders with realistic faults; live progress; then the operator's end of
/// day (statement reconciliation, dead-letter re-drive) and a report with the invariant verdicts.
/// </summary>
public static class DemoRun
{
    private const string Recovered = PipelineMetrics.CallbacksRecoveredName;

    /// <returns>0 when every invariant holds and the pipeline went quiet; 1 otherwise.</returns>
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var root = RepoRoot.Find();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var prefix = DemoConfiguration.RunPrefix();

        var ownAzurite = new ConfigurationBuilder().AddCommandLine(args).Build().GetValue<bool>("Demo:OwnAzurite");
        await using var azurite = await AzuriteStage.StartOrAttachAsync(root, ownAzurite, ct);
        var hostPort = FreePort.Next();
        var configuration = DemoConfiguration.Build(args, Path.Combine(root, "local.settings.json"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["PaymentsStorage:ConnectionString"] = azurite.ConnectionString,
            ["PaymentsStorage:NamePrefix"] = prefix,
            ["DurableTaskHubName"] = prefix + "hub",
            ["LocalHost:Port"] = hostPort.ToString(),
            ["Simulator:CallbackBaseUrl"] = $"http://127.0.0.1:{hostPort}",
        });
        var demo = configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        var gateways = demo.GatewayMix(); // an unknown name fails before anything starts
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(demo, new(demo), validateAllProperties: true);
        var simulatorOptions = SimulatorOptions.FromConfiguration(configuration.GetSection("Simulator"));
        if (configuration["Simulator:Seed"] is null)
        {
            simulatorOptions = simulatorOptions with { Seed = demo.Seed };
        }

        await using var simulator = await SimulatorServer.StartAsync(simulatorOptions, ct);
        var hostConfiguration = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(simulator.ConnectorSettings())
            // Faults follow the demo's seed like the simulator does, unless a run sets its own.
            .AddInMemoryCollection([new("Faults:Seed", configuration["Faults:Seed"] ?? demo.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))])
            .Build();
        var faults = hostConfiguration.GetSection(FaultOptions.Section).Get<FaultOptions>() ?? new FaultOptions();
        using var meter = new RecoveryMeter();
        using var runLog = new RunLog(Path.Combine(Path.GetTempPath(), $"payments-{prefix}.log"));

        var window = TimeSpan.FromSeconds(hostConfiguration.GetValue("Saga:PaymentWindowSeconds", 20));
        var (plans, stock) = OrderPlanner.Plan(new PlannerOptions
        {
            Orders = demo.Orders,
            Seed = demo.Seed,
            RegistrationsPerSecond = demo.RegistrationsPerSecond,
            PaymentWindow = window,
            Gateways = gateways,
        });
        Console.WriteLine($"Payments demo: {demo.Orders} orders (seed {demo.Seed}), payment window {window.TotalSeconds:F0} s, task hub {prefix}hub");
        Console.WriteLine($"  gateways: {string.Join(", ", gateways)}");
        Console.WriteLine($"  storage: {azurite.Description}");
        Console.WriteLine($"  gateway simulator: {simulator.BaseAddress} (duplicates {simulatorOptions.DuplicateRate:P0}, reordering {simulatorOptions.ReorderRate:P0}, "
            + $"losses {simulatorOptions.LossRate:P0}, delays {simulatorOptions.DeliveryDelayMin.TotalMilliseconds:F0}-{simulatorOptions.DeliveryDelayMax.TotalMilliseconds:F0} ms, API errors {simulatorOptions.ApiErrorRate:P0})");
        Console.WriteLine($"  injected faults (seed {faults.Seed}): stock {faults.StockTransientFailureRate:P0}, points {faults.PointsTransientFailureRate:P0}, "
            + $"intake dispatch {faults.IntakeDispatchFailureRate:P0}, gateway calls {faults.GatewayTransientFailureRate:P0}, permanently failing sku '{faults.PermanentFailureSkus}', "
            + $"stalling commit sku '{faults.StallingCommitSkus}', unclosable payments '{faults.UnclosablePaymentPrefix}*'");
        Console.WriteLine($"  pipeline log: {runLog.Path}");

        await using var host = await LocalFunctionsHost.StartAsync(hostConfiguration, services => services.AddSingleton(runLog.Factory), ct);
        await using var access = PipelineAccess.Create(hostConfiguration, host.BaseAddress, simulator, host.Durable);
        Console.WriteLine($"  local host: {host.BaseAddress} (timers on: retry lane {hostConfiguration["RetryLaneSchedule"]}, reconciler {hostConfiguration["ReconcilerSchedule"]}, dead letters {hostConfiguration["DeadLetterSchedule"]})");
        Console.WriteLine();

        var desk = new OperatorDesk(access);
        await desk.SetStockAsync(stock, ct);
        var outage = demo.OutageSeconds > 0
            ? new OrderServiceOutage(access.Storage, TimeSpan.FromSeconds(demo.OutageAtSeconds), TimeSpan.FromSeconds(demo.OutageSeconds)) { QueueName = hostConfiguration["Lane:QueueName"] ?? "retry-lane" }
            : null;
        var driver = new CustomerDriver(access, outage);
        var outageWatch = outage?.RunAsync(Stopwatch.StartNew(), ct) ?? Task.CompletedTask;
        var driving = driver.RunAsync(plans, ct);
        var quiescence = new Quiescence(access);
        var lastStep = plans.SelectMany(p => p.Steps).Max(s => s.At);
        var progress = TimeSpan.FromSeconds(demo.ProgressSeconds);
        string? failure = null;
        IReadOnlyList<StatementReport> statements = [];
        IReadOnlyDictionary<string, string> redriven = new Dictionary<string, string>();
        IReadOnlyDictionary<string, int> refundRetries = new Dictionary<string, int>();
        IReadOnlySet<string> refundedBefore = new HashSet<string>();
        InvariantVerdict? settledOnline = null;
        IReadOnlySet<string> unseen = new HashSet<string>();
        MoneyMonitorReport? moneyMonitor = null;
        try
        {
            await quiescence.WaitAsync(plans.Count, () => driving.IsCompleted, lastStep + demo.QuietTimeout(), progress, Console.WriteLine, ct);
            await driving;

            // Before any end-of-day work: the online paths alone must have settled every capture.
            var beforeStatement = await new SnapshotLoader(access.Storage, access.GatewayPort, access.Durable).LoadAsync(simulator.Payments, stock.Levels, started, ct, simulator.Refunds, simulator.Disputes);
            settledOnline = InvariantChecker.CheckSettledOnline(beforeStatement);
            unseen = InvariantChecker.UnseenSecondCaptures(beforeStatement);
            Console.WriteLine($"Quiet. Settled online before the statement: {(settledOnline.Holds ? "HOLDS" : "BROKEN")} "
                + $"({settledOnline.Checked} captured payments, {settledOnline.Violations} unsettled, {settledOnline.NeedsOperator} parked for an operator, "
                + $"{settledOnline.Findings.Count(f => f.Severity == Severity.StatementOnly)} never seen online)");

            // The operator's end of day: today's statement through the same code the daily timer runs, then parked dead letters.
            Console.WriteLine("Operator: reconciling the gateway's statement, re-driving parked dead letters and retrying parked refunds...");
            refundedBefore = simulator.Payments.Where(p => p.RefundedMinor > 0).Select(p => p.PaymentId).ToHashSet();
            statements = await desk.ReconcileStatementsAsync(started, ct);
            redriven = await desk.RedriveAllDeadLettersAsync(ct);
            refundRetries = await desk.RetryParkedRefundsAsync(ct);
            await quiescence.WaitAsync(plans.Count, () => true, demo.QuietTimeout(), progress, Console.WriteLine, ct);
            moneyMonitor = await desk.RunMoneyMonitorAsync(ct);
        }
        catch (TimeoutException ex)
        {
            failure = ex.Message;
            Console.WriteLine($"FAILED: {ex.Message}");
        }

        var snapshot = await new SnapshotLoader(access.Storage, access.GatewayPort, access.Durable).LoadAsync(simulator.Payments, stock.Levels, started, ct, simulator.Refunds, simulator.Disputes);
        var verdicts = WithOnlineChecks(InvariantChecker.Check(snapshot), settledOnline, statements, unseen);
        var (queued, queuedThenApplied) = await InboxJourneys.CountAsync(access.Storage, ct);
        var recovery = new RecoveryCounts(
            OutboxRelayed: meter.Total(PipelineMetrics.OutboxRelayedName),
            QueuedOnLane: queued,
            QueuedThenApplied: queuedThenApplied,
            LaneDeadLettered: meter.Total(PipelineMetrics.LaneDeadLetteredName),
            RedrivenByDrain: meter.Total(PipelineMetrics.DeadLettersRedrivenName, "drain"),
            RedrivenByOperator: redriven.Values.Count(v => v == nameof(RedriveResult.Applied)),
            DeadLettersParked: snapshot.DeadLetters.Count(l => l.Status == LetterStatus.Parked),
            ActiveQuery: meter.Total(Recovered, "active_query"),
            ActiveQueriesMade: meter.Total(PipelineMetrics.ActiveQueriesName),
            Statement: meter.Total(Recovered, "statement"));
        runLog.Flush();
        var injected = new InjectedFaults(faults.Seed, [.. FaultMetrics.Kinds.Select(k => (k, meter.Total(FaultMetrics.InjectedName, k)))]);
        DemoReport.Write(Console.Out, new RunSummary(plans, driver.Tally, simulator.Stats, snapshot, verdicts, recovery, statements, refundedBefore, redriven, clock.Elapsed, failure, injected,
            refundRetries, moneyMonitor));
        if (outage is not null)
        {
            await Task.WhenAny(outageWatch, Task.Delay(demo.QuietTimeout(), ct));
            Console.WriteLine(outage.Summary());
        }
        Console.WriteLine($"Pipeline log: {runLog.Path}");
        // As the README says: broken invariants or a pipeline that never went quiet fail the run. How fast the
        // outage's backlog drained is reported above (a timing on a shared machine is a figure, not a verdict).
        var exitCode = verdicts.AllHold && failure is null ? 0 : 1;
        if (demo.KeepRunning)
        {
            await KeepRunningAsync(host.BaseAddress, plans, ct);
        }
        return exitCode;
    }

    /// <summary>Leaves the pipeline up for the operator console until Ctrl+C; the local host needs no function key.</summary>
    private static async Task KeepRunningAsync(Uri baseAddress, IReadOnlyList<OrderPlan> plans, CancellationToken ct)
    {
        var console = new Uri(baseAddress, "api/ops/console");
        Console.WriteLine();
        Console.WriteLine($"Operator console: {console}");
        // "I paid and my order is cancelled": a payment that landed after the saga cancelled, refunded by the pipeline.
        if (plans.FirstOrDefault(p => p.Behaviour == CustomerBehaviour.PaysAfterUnclosedCancel) is { } late)
        {
            Console.WriteLine($"  a late payment's timeline: {console}?q={late.Order.PaymentId}");
        }
        Console.WriteLine("The pipeline keeps running (timers on); Ctrl+C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.WriteLine("Stopping.");
        }
    }

    /// <summary>
    /// The final verdicts plus the two checks around the end of day: settled online (taken before the
    /// statement; broken when the run never got there) and the statement healing nothing.
    /// </summary>
    public static InvariantReport WithOnlineChecks(InvariantReport final, InvariantVerdict? settledOnline, IReadOnlyList<StatementReport> statements, IReadOnlySet<string>? unseen = null) => new(
    [
        .. final.Verdicts,
        settledOnline ?? new InvariantVerdict(InvariantChecker.SettledOnline, "Not checked: the pipeline never went quiet before the statement.", 0,
            [new Finding(InvariantChecker.SettledOnline, Severity.Violation, "run", "the pipeline did not go quiet, so nothing was checked before the statement")]),
        InvariantChecker.CheckStatementHealsNothing(statements, unseen),
    ]);
}
