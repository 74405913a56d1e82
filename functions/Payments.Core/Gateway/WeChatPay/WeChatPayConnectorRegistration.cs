using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// The WeChat Pay connector's registration: the <c>Connectors:WeChatPay</c> settings, its typed client
/// (resilience outside, the signing envelope inside so each attempt is signed afresh), the connector.
/// Registered like every connector, with or without a merchant id (<see cref="IGatewayConnector.ConfiguredBy"/>).
/// </summary>
public static class WeChatPayConnectorRegistration
{
    public static IServiceCollection AddWeChatPayConnector(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WeChatPayOptions.Section);
        var settings = section.Get<WeChatPayOptions>() ?? new WeChatPayOptions();
        services.AddOptions<WeChatPayOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddTransient<WeChatPayEnvelope>();
        var client = services.AddHttpClient<WeChatPayGateway>((sp, http) => WeChatPayGateway.Configure(http, sp.GetRequiredService<IOptions<WeChatPayOptions>>().Value));
        client.AddStandardResilienceHandler(resilience => GatewayResilience.Configure(resilience, TimeSpan.FromSeconds(settings.AttemptTimeoutSeconds)));
        // Added after the resilience handler, so inside it: every attempt is signed and verified on its own.
        client.AddHttpMessageHandler<WeChatPayEnvelope>();
        services.AddSingleton<IGatewayConnector, WeChatPayConnector>();
        return services;
    }
}
