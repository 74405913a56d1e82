using Payments.Demo.Invariants;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// Every money invariant of the demo's checker over everything a pipeline's tests did so far (payments
/// settled once, stock and points, refunds final, the ledger agreeing with the gateway, points reversed):
/// a test that moves money ends with all of them, not only the fact it was written for.
/// </summary>
public static class MoneyInvariants
{
    /// <param name="stocked">What each sku was stocked with: the stock-conservation invariant counts from it.</param>
    public static async Task AssertAllHoldAsync(PipelineHost pipeline, IReadOnlyDictionary<string, long> stocked)
    {
        // The timers are off in tests: the outbox relay's second look settles the successes raised to running sagas.
        await Task.Delay(OutboxRelay.SettleTime);
        await pipeline.Service<OutboxRelay>().RelayAsync(pipeline.Durable);
        var loader = new SnapshotLoader(pipeline.Service<PaymentsStorage>(), pipeline.Service<IPaymentGateway>(), pipeline.Durable);
        var levels = new Dictionary<string, long>();
        foreach (var (sku, level) in stocked)
        {
            if (await pipeline.Service<StockLedger>().GetLevelAsync(sku) is not null)
            {
                levels[sku] = level;
            }
        }
        var snapshot = await loader.LoadAsync(pipeline.Gateway.Payments, levels, DateTimeOffset.UtcNow.AddMinutes(-30), gatewayRefunds: pipeline.Gateway.Refunds);
        var report = InvariantChecker.Check(snapshot);
        Assert.True(report.AllHold, "Invariant violations:\n" + string.Join("\n", report.Violations));
    }
}
