using System.Security.Cryptography;
using System.Text;

namespace GatewaySimulator;

/// <summary>Runs before every /v1 endpoint: checks the API key, then injects the configured outages and stalls.</summary>
internal sealed class GatewayApiGuard(SimulatorOptions options, SeededRandom random, StatsCounters stats, TimeProvider clock)
{
    private readonly byte[]? expectedAuthorization = options.ApiKey is { } key ? Encoding.UTF8.GetBytes("Bearer " + key) : null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (expectedAuthorization is not null && !IsAuthorized(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var unauthorized = StripeApi.IsStripePath(context.Request.Path)
                ? StripeApi.Error(StatusCodes.Status401Unauthorized, "invalid_request_error", null, "Invalid API Key provided.")
                : ApiResults.Error(StatusCodes.Status401Unauthorized, "missing or invalid API key");
            await unauthorized.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (options.ApiErrorRate > 0 || options.ApiTimeoutRate > 0)
        {
            var roll = random.Draw(r => r.NextDouble());
            if (roll < options.ApiErrorRate + options.ApiTimeoutRate)
            {
                stats.ApiErrorInjected();
                if (roll >= options.ApiErrorRate)
                {
                    stats.ApiTimeoutInjected();
                    if (!await StallAsync(context).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                // The operation is not performed: a client that retries with the same ids must converge.
                context.Response.Headers.RetryAfter = "1";
                var outage = ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "simulated gateway outage");
                if (StripeApi.IsStripePath(context.Request.Path))
                {
                    context.Response.Headers["Stripe-Should-Retry"] = "true";
                    outage = StripeApi.Error(StatusCodes.Status503ServiceUnavailable, "api_error", null, "simulated gateway outage");
                }
                await outage.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var presented = Encoding.UTF8.GetBytes(request.Headers.Authorization.ToString());
        return CryptographicOperations.FixedTimeEquals(presented, expectedAuthorization);
    }

    /// <summary>False when the client gave up while waiting, so there is nobody left to answer.</summary>
    private async Task<bool> StallAsync(HttpContext context)
    {
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(options.ApiTimeout, clock, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested)
        {
            return !context.RequestAborted.IsCancellationRequested;
        }

        return true;
    }
}
