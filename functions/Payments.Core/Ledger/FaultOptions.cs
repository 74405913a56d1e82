using System.ComponentModel.DataAnnotations;

namespace Payments.Ledger;

/// <summary>
/// Fault injection for the stock and points ledgers, bound from <c>Faults</c>. Everything is off by
/// default; only demos and chaos tests turn it on, never production settings.
/// </summary>
public sealed class FaultOptions
{
    public const string Section = "Faults";

    [Range(0.0, 1.0)]
    public double StockTransientFailureRate { get; set; }

    [Range(0.0, 1.0)]
    public double PointsTransientFailureRate { get; set; }

    /// <summary>Intake stores the callback, then fails to dispatch it: exercises the outbox relay.</summary>
    [Range(0.0, 1.0)]
    public double IntakeDispatchFailureRate { get; set; }

    [Range(0, 60_000)]
    public int AddedLatencyMs { get; set; }

    /// <summary>Skus whose stock commit always fails permanently, separated by spaces or commas.</summary>
    public string PermanentFailureSkus { get; set; } = "";

    public bool IsPermanentlyFailing(string sku) =>
        PermanentFailureSkus.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Contains(sku, StringComparer.Ordinal);
}

/// <summary>Raised by fault injection; a transient failure the saga's retry policy is expected to absorb.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);

/// <summary>Applies <see cref="FaultOptions"/> at the start of a ledger step.</summary>
public sealed class FaultInjector(Microsoft.Extensions.Options.IOptionsMonitor<FaultOptions> options)
{
    public FaultOptions Current => options.CurrentValue;

    public async Task BeforeStockAsync(CancellationToken ct) => await ApplyAsync(Current.StockTransientFailureRate, "stock", ct);

    public async Task BeforePointsAsync(CancellationToken ct) => await ApplyAsync(Current.PointsTransientFailureRate, "points", ct);

    public void BeforeIntakeDispatch()
    {
        if (Current.IntakeDispatchFailureRate > 0 && Random.Shared.NextDouble() < Current.IntakeDispatchFailureRate)
        {
            throw new InjectedFaultException("Injected dispatch failure at intake.");
        }
    }

    private async Task ApplyAsync(double failureRate, string ledger, CancellationToken ct)
    {
        var faults = Current;
        if (faults.AddedLatencyMs > 0)
        {
            await Task.Delay(faults.AddedLatencyMs, ct);
        }
        if (failureRate > 0 && Random.Shared.NextDouble() < failureRate)
        {
            throw new InjectedFaultException($"Injected transient {ledger} failure.");
        }
    }
}
