using Payments.Demo.Invariants;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// Every money invariant over everything a test class's pipeline did so far (payments settled once,
/// stock and points, refunds final, the ledger agreeing with the gateway on refunds and disputes,
/// points reversed): what a test that moves money ends with, not only the fact it was written for.
/// </summary>
public static class MoneyInvariants
{
    /// <param name="stocked">What each sku the class's tests use was stocked with: the stock-conservation invariant counts from it.</param>
    public static async Task AssertAllHoldAsync(PipelineHost pipeline, IReadOnlyDictionary<string, long> stocked)
    {
        // The timers are off in tests: the outbox relay's second look settles the successes raised to running sagas.
        await Task.Delay(OutboxRelay.SettleTime);
        await pipeline.Service<OutboxRelay>().RelayAsync(pipeline.Durable);
        var loader = new SnapshotLoader(pipeline.Service<PaymentsStorage>(), pipeline.Service<Payments.Gateway.IPaymentGateway>(), pipeline.Durable);
        var levels = new Dictionary<string, long>();
        foreach (var (sku, stock) in stocked)
        {
            if (await pipeline.Service<StockLedger>().GetLevelAsync(sku) is not null)
            {
                levels[sku] = stock;
            }
        }
        var snapshot = await loader.LoadAsync(pipeline.Gateway.Payments, levels, DateTimeOffset.UtcNow.AddMinutes(-30),
            gatewayRefunds: pipeline.Gateway.Refunds, gatewayDisputes: pipeline.Gateway.Disputes);
        var report = InvariantChecker.Check(snapshot);
        Assert.True(report.AllHold, "Invariant violations:\n" + string.Join("\n", report.Violations));
    }
}
