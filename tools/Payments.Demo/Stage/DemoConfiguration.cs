using GatewaySimulator;
using Microsoft.Extensions.Configuration;
using Payments.LocalHost;

namespace Payments.Demo.Stage;

/// <summary>
/// The run's settings, in layers: the committed <c>local.settings.json</c>, then the demo's
/// defaults (fast schedules, realistic faults, injected by <c>Payments.Faults</c> through the local
/// host's <c>Faults</c> section), then what this run owns (storage, ports, a fresh
/// task hub and table prefix), then the command line, so any of them can be overridden:
/// <c>--Demo:Orders 50 --Simulator:LossRate 0.2 --Faults:PointsTransientFailureRate 0.5</c>.
/// </summary>
public static class DemoConfiguration
{
    /// <summary>Fast recovery schedules and realistic faults, so a few hundred orders settle in a couple of minutes.</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        ["LocalHost:RunTimers"] = "true",
        ["LocalHost:MaxQueuePollingMs"] = "500",
        ["Intake:StandardSecrets"] = SimulatorOptions.DefaultStandardSecret,
        ["Connectors:Stripe:WebhookSecrets"] = SimulatorOptions.DefaultStripeSecret,
        ["Connectors:Stripe:AttemptTimeoutSeconds"] = "3",
        ["Gateway:AttemptTimeoutSeconds"] = "3",
        ["Saga:PaymentWindowSeconds"] = "20",
        ["Saga:ActivityBackoffSeconds"] = "1",
        ["Saga:PointsBackoffSeconds"] = "1",
        ["Saga:PointsMaxAttempts"] = "5",
        ["RetryLaneSchedule"] = "*/2 * * * * *",
        ["ReconcilerSchedule"] = "*/2 * * * * *",
        ["RefundTrackingSchedule"] = "*/2 * * * * *",
        ["CrashedSagaSweepSchedule"] = "*/2 * * * * *",
        ["FailedRefundSweepSchedule"] = "*/2 * * * * *",
        ["DeadLetterSchedule"] = "*/5 * * * * *",
        ["Reconciler:ActiveQueryAfterSeconds"] = "8",
        // The demo's terminated sagas are decided within seconds; its refunds are followed from the first seconds on.
        ["Reconciler:CrashedSagaGraceSeconds"] = "5",
        ["Reconciler:RefundFirstCheckSeconds"] = "2",
        // The statement runs right after the demo goes quiet: its look the other way judges every capture.
        ["Reconciler:StatementLedgerOnlyMarginSeconds"] = "0",
        ["Reconciler:RefundMaxCheckIntervalSeconds"] = "4",
        // The money monitor judges every capture older than a minute (the demo's run at its end, and its timer).
        ["Monitor:CaptureSettleMinutes"] = "1",
        ["Lane:BackoffSeconds"] = "1",
        ["Lane:MaxBackoffSeconds"] = "4",
        ["Lane:MaxAttempts"] = "4",
        ["Faults:StockTransientFailureRate"] = "0.03",
        ["Faults:PointsTransientFailureRate"] = "0.1",
        ["Faults:IntakeDispatchFailureRate"] = "0.03",
        ["Faults:GatewayTransientFailureRate"] = "0.02",
        ["Faults:PermanentFailureSkus"] = "sku-broken",
        ["Faults:StallingCommitSkus"] = "sku-stall",
        ["Faults:UnclosablePaymentPrefix"] = "pay-unclosable-",
        ["Simulator:DuplicateRate"] = "0.2",
        ["Simulator:ReorderRate"] = "0.1",
        ["Simulator:LossRate"] = "0.05",
        ["Simulator:DeliveryDelayMin"] = "00:00:00.050",
        ["Simulator:DeliveryDelayMax"] = "00:00:01.500",
        ["Simulator:ApiErrorRate"] = "0.02",
        ["Simulator:MaxConcurrentDeliveries"] = "4",
        // One glitched row in each day's CSV statement: the statement run must isolate it and still reconcile the rest.
        ["Simulator:MalformedStatementLines"] = "1",
        // A US Stripe account: the demo's EUR charges book in USD on the balance transactions (exchange_rate
        // set), so the statement must reconcile and refund in the charge's own currency.
        ["Simulator:StripeSettlementCurrency"] = "USD",
        ["Simulator:RetrySchedule"] = "00:00:01,00:00:02,00:00:04,00:00:08,00:00:15",
        // The host's console logger shows errors only; everything else goes to the run log file.
        ["Logging:LogLevel:Default"] = "Error",
    };

    public static IConfigurationRoot Build(string[] args, string settingsPath, IReadOnlyDictionary<string, string?> run) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(LocalSettings.ReadValues(settingsPath))
            .AddInMemoryCollection(Defaults)
            .AddInMemoryCollection(run)
            .AddCommandLine(args)
            .Build();

    /// <summary>A fresh name for this run's task hub and tables: letters and digits, starting with a letter.</summary>
    public static string RunPrefix() => "demo" + Guid.NewGuid().ToString("N")[..8];
}
