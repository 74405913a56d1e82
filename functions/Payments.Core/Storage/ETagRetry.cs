using Azure;
using Polly;
using Polly.Retry;

namespace Payments.Storage;

/// <summary>
/// Optimistic concurrency for ledger rows: concurrent orders race on a shared row's ETag (a sku's
/// level, a customer's balance); the loser re-reads and tries again, with jittered back-off.
/// </summary>
internal static class ETagRetry
{
    public static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            // 412: the ETag moved on. 409: a concurrent insert of the same row won. A failed
            // entity-group transaction is a RequestFailedException too.
            ShouldHandle = new PredicateBuilder().Handle<RequestFailedException>(ex => ex.Status is 409 or 412),
            MaxRetryAttempts = 30,
            Delay = TimeSpan.FromMilliseconds(15),
            BackoffType = DelayBackoffType.Exponential,
            MaxDelay = TimeSpan.FromMilliseconds(500),
            UseJitter = true,
        })
        .Build();
}
