using System.Collections.Concurrent;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// The pipeline's tables behind a <see cref="StorageSwitch"/>: a test cuts them off the moment an
/// order's paid saga starts committing its stock, for as long as a storage blip lasts.
/// </summary>
public sealed class StorageBlipFixture : PipelineFixture
{
    private StorageSwitch? storage;

    /// <summary>Orders whose first stock commit starts an outage of the given length.</summary>
    public ConcurrentDictionary<string, TimeSpan> CutOnCommit { get; } = new(StringComparer.Ordinal);

    public StorageSwitch Storage => storage ?? throw new InvalidOperationException("Fixture not started.");

    protected override async Task<PipelineHost> StartAsync()
    {
        var azurite = await Azurite.SharedAsync();
        storage = StorageSwitch.Start(azurite.TablePort);
        return await PipelineHost.StartAsync(
            "blip",
            settings => settings["PaymentsStorage:ConnectionString"] = storage.ConnectionString(azurite),
            services: services => StepGates.Wrap<IStockReservations>(services, inner => new CutsStorageOnCommit(inner, this)));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (storage is not null)
        {
            await storage.DisposeAsync();
        }
    }

    /// <summary>Starts the order's outage just before its commit reaches the ledger; the commit itself is the real one.</summary>
    private sealed class CutsStorageOnCommit(IStockReservations inner, StorageBlipFixture fixture) : IStockReservations
    {
        public Task<ReserveResult> ReserveAsync(StockRequest request, CancellationToken ct = default) => inner.ReserveAsync(request, ct);

        public Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default)
        {
            if (fixture.CutOnCommit.TryRemove(request.OrderId, out var outage))
            {
                fixture.Storage.CutFor(outage);
            }
            return inner.CommitAsync(request, ct);
        }

        public Task ReleaseAsync(StockRequest request, CancellationToken ct = default) => inner.ReleaseAsync(request, ct);
    }
}

public sealed class StorageBlipTests(StorageBlipFixture fixture) : IClassFixture<StorageBlipFixture>
{
    [Fact]
    public async Task A_storage_outage_right_after_a_capture_is_ridden_out_and_the_customer_gets_the_goods_not_a_refund()
    {
        var pipeline = fixture.Pipeline;
        var stock = pipeline.Service<StockLedger>();
        await stock.SetLevelAsync("sku-blip", 2);
        var order = await pipeline.RegisterOrderAsync("blip1", amount: 2300, sku: "sku-blip");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        fixture.CutOnCommit[order.OrderId] = TimeSpan.FromSeconds(15);

        await pipeline.Gateway.PayAsync(order.PaymentId);

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await pipeline.WaitForOutcomeAsync(order.OrderId, TimeSpan.FromMinutes(4)));
        Assert.False(fixture.CutOnCommit.ContainsKey(order.OrderId), "the outage started at the commit");
        Assert.Empty(pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal(new StockLevel("sku-blip", 1, 0, 1), await stock.GetLevelAsync("sku-blip"));
        Assert.Equal(23, await pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        Assert.Equal(OrderStatus.Completed, (await pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        Assert.Null(await pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.CommitFailed, order.OrderId));
    }
}
