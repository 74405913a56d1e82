using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Payments.Gateway.Adyen;

/// <summary>The Adyen connector's registration: the <c>Connectors:Adyen</c> settings and the connector.</summary>
public static class AdyenConnectorRegistration
{
    public static IServiceCollection AddAdyenConnector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdyenOptions>().Bind(configuration.GetSection(AdyenOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IGatewayConnector, AdyenConnector>();
        return services;
    }
}
