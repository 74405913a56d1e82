using Payments.Contracts;
using Payments.Ledger;

namespace Payments.Tests.Infrastructure;

/// <summary>The stock port with <see cref="StepGates"/> in front of its commit (or half-way through it).</summary>
internal sealed class GatedStock(IStockReservations inner, StepGates gates) : IStockReservations
{
    public Task<ReserveResult> ReserveAsync(StockRequest request, CancellationToken ct = default) => inner.ReserveAsync(request, ct);

    public async Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default)
    {
        await gates.PassAsync("commit", request.OrderId);
        if (gates.Holds("commit-rest", request.OrderId))
        {
            await inner.CommitAsync(request with { Lines = request.Lines.Take(1).ToArray() }, ct);
            await gates.PassAsync("commit-rest", request.OrderId);
        }
        return await inner.CommitAsync(request, ct);
    }

    public Task ReleaseAsync(StockRequest request, CancellationToken ct = default) => inner.ReleaseAsync(request, ct);
}
