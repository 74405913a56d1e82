using Payments.Contracts;

namespace Payments.Demo.Driving;

/// <summary>One look at the pipeline while it works: orders by state and what is still in flight.</summary>
/// <param name="Unsettled">Inbox rows not yet applied plus orchestrations still running; null until every order is terminal (it is only counted then).</param>
public sealed record PipelineState(
    TimeSpan Elapsed,
    int Registered,
    IReadOnlyDictionary<OrderStatus, int> ByStatus,
    long PendingDeliveries,
    int? Unsettled,
    bool Quiet)
{
    public override string ToString() =>
        $"t+{Elapsed.TotalSeconds,4:F0}s  registered {Registered,4} | "
        + string.Join(" ", Enum.GetValues<OrderStatus>().Select(s => $"{s} {ByStatus.GetValueOrDefault(s)}"))
        + $" | webhooks in flight {PendingDeliveries}"
        + (Unsettled is { } u ? $" | unsettled {u}" : "");
}
