using Payments.Contracts;
using Payments.Ledger;
using Polly.Simmy.Outcomes;
using Polly.Simmy;
using Polly;

namespace Payments.Faults;

/// <summary>
/// The stock ledger under injected faults: added latency and transient failures before reserve and
/// commit, and a commit that reports a permanent failure (without touching the ledger) for the
/// configured skus, which the saga compensates with a refund; a commit that dies half-way every time
/// for an order with a stalling sku: its other lines are committed, then it throws (the saga sits in
/// its retries, its order Paid, holding committed stock). Release is the compensation and passes
/// through unharmed, as it always has.
/// </summary>
public sealed class FaultyStockReservations : IStockReservations
{
    private static readonly ResiliencePropertyKey<StockRequest> Request = new("Payments.Faults.StockRequest");

    private readonly IStockReservations inner;
    private readonly FaultOptions options;
    private readonly FaultRandom random;
    private readonly ResiliencePipeline reserve;
    private readonly ResiliencePipeline<CommitResult> commit;

    public FaultyStockReservations(IStockReservations inner, FaultOptions options, FaultRandom random, TimeProvider clock)
    {
        this.inner = inner;
        this.options = options;
        this.random = random;
        var randomizer = random.Randomizer(FaultSeam.Stock);
        reserve = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddAddedLatency(options.AddedLatencyMs, randomizer)
            .AddTransientFailures(options.StockTransientFailureRate, FaultMetrics.Stock, randomizer)
            .Build();
        commit = new ResiliencePipelineBuilder<CommitResult> { TimeProvider = clock }
            .AddAddedLatency(options.AddedLatencyMs, randomizer)
            .AddTransientFailures(options.StockTransientFailureRate, FaultMetrics.Stock, randomizer)
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<CommitResult>
            {
                Name = "PermanentCommitFailure",
                EnabledGenerator = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(Request, out var request) && request.Lines.Any(l => options.IsPermanentlyFailing(l.Sku))),
                InjectionRate = 1.0,
                Randomizer = randomizer,
                OutcomeGenerator = _ => ValueTask.FromResult<Outcome<CommitResult>?>(Outcome.FromResult(CommitResult.Failed)),
                OnOutcomeInjected = _ => FaultMetrics.CountAsync(FaultMetrics.PermanentStockCommit),
            })
            .Build();
    }

    public async Task<ReserveResult> ReserveAsync(StockRequest request, CancellationToken ct = default)
    {
        using var key = random.Use(request.OrderId);
        return await reserve.ExecuteAsync(async token => await inner.ReserveAsync(request, token), ct);
    }

    public async Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default)
    {
        if (request.Lines.Any(l => options.IsStalling(l.Sku)))
        {
            // Half-way, as a commit that crashes between lines: whoever settles the order must give these back.
            var others = request.Lines.Where(l => !options.IsStalling(l.Sku)).ToArray();
            if (others.Length > 0)
            {
                await inner.CommitAsync(request with { Lines = others }, ct);
            }
            await FaultMetrics.CountAsync(FaultMetrics.StallingStockCommit);
            throw new InjectedFaultException("Injected stalling stock commit failure.");
        }
        using var key = random.Use(request.OrderId);
        var context = ResilienceContextPool.Shared.Get(ct);
        try
        {
            context.Properties.Set(Request, request);
            return await commit.ExecuteAsync(async c => await inner.CommitAsync(request, c.CancellationToken), context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task ReleaseAsync(StockRequest request, CancellationToken ct = default) => inner.ReleaseAsync(request, ct);
}
