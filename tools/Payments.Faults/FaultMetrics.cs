using System.Diagnostics.Metrics;

namespace Payments.Faults;

/// <summary>
/// Counts every fault the decorators inject, tagged by what broke, so a run can show that the
/// faults it asked for really happened (a failed activity that its retry absorbed leaves no log line).
/// </summary>
public static class FaultMetrics
{
    public const string MeterName = "Payments.Faults";
    public const string InjectedName = "payments.faults.injected";

    public const string Stock = "stock";
    public const string Points = "points";
    public const string IntakeDispatch = "intake_dispatch";
    public const string Gateway = "gateway";
    public const string PermanentStockCommit = "permanent_stock_commit";
    public const string StallingStockCommit = "stalling_stock_commit";
    public const string UnclosablePayment = "unclosable_payment";
    public const string Statement = "statement";

    /// <summary>Every kind the counter is tagged with, in report order.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Stock, Points, IntakeDispatch, Gateway, PermanentStockCommit, StallingStockCommit, UnclosablePayment, Statement];

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Injected = Meter.CreateCounter<long>(InjectedName, description: "Faults injected by the demo's and tests' fault decorators, tagged by kind.");

    internal static ValueTask CountAsync(string kind)
    {
        Injected.Add(1, new KeyValuePair<string, object?>("kind", kind));
        return ValueTask.CompletedTask;
    }
}
