using Payments.Contracts;

namespace Payments.Ledger;

/// <summary>
/// What the saga does to stock for one order: reserve, commit, release. A port of its own so the
/// demo and the tests can wrap the stock ledger (with injected faults) without the saga knowing.
/// </summary>
public interface IStockReservations
{
    /// <summary>Reserves every line or none; refused (<see cref="ReserveResult.OutOfStock"/>) once the order was released.</summary>
    Task<ReserveResult> ReserveAsync(StockRequest request, CancellationToken ct = default);

    /// <summary>Commits the order's reservation; <see cref="CommitResult.Failed"/> is a permanent failure the saga compensates (release un-commits).</summary>
    Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default);

    /// <summary>Gives back what the order holds, reserved or committed; nothing to release is not an error, and leaves a marker that refuses a later reserve.</summary>
    Task ReleaseAsync(StockRequest request, CancellationToken ct = default);
}
