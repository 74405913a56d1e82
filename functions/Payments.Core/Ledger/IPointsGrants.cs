using Payments.Contracts;

namespace Payments.Ledger;

/// <summary>
/// Grants an order's loyalty points once. A port of its own so the demo and the tests can wrap the
/// points ledger (with injected faults) without the saga knowing.
/// </summary>
public interface IPointsGrants
{
    Task<GrantResult> GrantAsync(PointsRequest request, CancellationToken ct = default);
}
