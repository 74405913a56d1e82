using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace Payments.Gateway.Stripe;

/// <summary>The Stripe connector's registration: the <c>Connectors:Stripe</c> settings, its HTTP client, the connector.</summary>
public static class StripeConnectorRegistration
{
    private const string ShouldRetryHeader = "Stripe-Should-Retry";

    public static IServiceCollection AddStripeConnector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(StripeConnector.HttpClientName)
            .AddStandardResilienceHandler(resilience =>
            {
                var stripe = configuration.GetSection(StripeOptions.Section).Get<StripeOptions>() ?? new StripeOptions();
                GatewayResilience.Configure(resilience, TimeSpan.FromSeconds(stripe.AttemptTimeoutSeconds));
                // Stripe says per response whether a retry can help (e.g. a lock timeout yes, a card error no).
                resilience.Retry.ShouldHandle = args =>
                    args.Outcome.Result?.Headers.TryGetValues(ShouldRetryHeader, out var values) == true
                        ? ValueTask.FromResult(string.Equals(values.FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase))
                        : ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome));
            });
        services.AddSingleton<IGatewayConnector, StripeConnector>();
        return services;
    }
}
