using GatewaySimulator;
using Payments.Contracts;
using Payments.Demo.Driving;
using Payments.Demo.Invariants;
using Payments.Recovery;

namespace Payments.Demo.Reporting;

/// <summary>Everything the final report is made of.</summary>
public sealed record RunSummary(
    IReadOnlyList<OrderPlan> Plans,
    DriverTally Driver,
    SimulatorStats Gateway,
    LedgerSnapshot Snapshot,
    InvariantReport Verdicts,
    RecoveryCounts Recovery,
    IReadOnlyList<StatementReport> FinalStatements,
    IReadOnlySet<string> RefundedBeforeStatement,
    IReadOnlyDictionary<string, string> Redriven,
    TimeSpan Elapsed,
    string? QuiescenceFailure,
    InjectedFaults? Faults = null,
    IReadOnlyDictionary<string, int>? RefundRetries = null,
    MoneyMonitorReport? MoneyMonitor = null);
