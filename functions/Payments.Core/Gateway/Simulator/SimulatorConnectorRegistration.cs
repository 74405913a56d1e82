using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Payments.Gateway.Simulator;

/// <summary>The simulator connector's registration: its settings, its typed client with the standard resilience handler, the connector.</summary>
public static class SimulatorConnectorRegistration
{
    public static IServiceCollection AddSimulatorConnector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StandardWebhooksOptions>().Bind(configuration.GetSection(StandardWebhooksOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<HttpPaymentGateway>((sp, http) => HttpPaymentGateway.Configure(http, sp.GetRequiredService<IOptions<GatewayOptions>>().Value))
            .AddStandardResilienceHandler(resilience =>
            {
                var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
                GatewayResilience.Configure(resilience, TimeSpan.FromSeconds(gateway.AttemptTimeoutSeconds));
            });
        services.AddSingleton<IGatewayConnector, SimulatorConnector>();
        return services;
    }
}
