using Microsoft.Extensions.Http.Resilience;

namespace Payments.Gateway;

/// <summary>The one shape of in-call resilience every connector's HTTP client gets.</summary>
public static class GatewayResilience
{
    public static void Configure(HttpStandardResilienceOptions resilience, TimeSpan attemptTimeout)
    {
        resilience.AttemptTimeout.Timeout = attemptTimeout;
        resilience.CircuitBreaker.SamplingDuration = attemptTimeout * 3;
        // A few quick in-call retries only: the saga's Durable retry policy owns the long horizon.
        resilience.Retry.MaxRetryAttempts = 2;
        resilience.TotalRequestTimeout.Timeout = attemptTimeout * 4;
    }
}
