using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Payments.Gateway.Alipay;

/// <summary>The Alipay connector's registration: the <c>Connectors:Alipay</c> settings, its HTTP client with the shared resilience, the connector.</summary>
public static class AlipayConnectorRegistration
{
    public static IServiceCollection AddAlipayConnector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlipayOptions>().Bind(configuration.GetSection(AlipayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(AlipayConnector.HttpClientName)
            .AddStandardResilienceHandler(resilience =>
            {
                var alipay = configuration.GetSection(AlipayOptions.Section).Get<AlipayOptions>() ?? new AlipayOptions();
                GatewayResilience.Configure(resilience, TimeSpan.FromSeconds(alipay.AttemptTimeoutSeconds));
            });
        services.AddSingleton<IGatewayConnector, AlipayConnector>();
        return services;
    }
}
