using Payments.Contracts;
using Payments.Ledger;
using Polly;

namespace Payments.Faults;

/// <summary>The points ledger under injected faults: added latency and transient failures before every grant.</summary>
public sealed class FaultyPointsGrants : IPointsGrants
{
    private readonly IPointsGrants inner;
    private readonly FaultRandom random;
    private readonly ResiliencePipeline grant;

    public FaultyPointsGrants(IPointsGrants inner, FaultOptions options, FaultRandom random, TimeProvider clock)
    {
        this.inner = inner;
        this.random = random;
        var randomizer = random.Randomizer(FaultSeam.Points);
        grant = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddAddedLatency(options.AddedLatencyMs, randomizer)
            .AddTransientFailures(options.PointsTransientFailureRate, FaultMetrics.Points, randomizer)
            .Build();
    }

    public async Task<GrantResult> GrantAsync(PointsRequest request, CancellationToken ct = default)
    {
        using var key = random.Use(request.OrderId);
        return await grant.ExecuteAsync(async token => await inner.GrantAsync(request, token), ct);
    }
}
