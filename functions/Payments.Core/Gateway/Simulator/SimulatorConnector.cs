using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Secrets;

namespace Payments.Gateway.Simulator;

/// <summary>
/// The gateway simulator's own API (<c>/v1/payments…</c>, CSV statements) and its Standard Webhooks
/// callbacks: the demo's default connector, provider <c>standard</c>.
/// </summary>
public sealed class SimulatorConnector(IServiceProvider services, IOptions<StandardWebhooksOptions> webhooks, IOptions<GatewayOptions> gateway) : IGatewayConnector
{
    public string Name => StandardWebhooksProvider.ProviderName;

    public TimeSpan RetryHorizon => StandardWebhooksProvider.RetryHorizon;

    /// <summary>Required at start-up (<see cref="StandardWebhooksOptions"/>): the demo's default gateway is always configured.</summary>
    public SecretSetting ConfiguredBy => WebhookSecrets;

    public SecretSetting WebhookSecrets => webhooks.Value.StandardSecretsSetting();

    public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) => new StandardWebhooksProvider(SecretList.Split(WebhookSecrets.Value), tolerance);

    // A typed client per use, so the factory can rotate its handlers.
    public IPaymentGateway Outbound => services.GetRequiredService<HttpPaymentGateway>();

    // An empty key is allowed (the simulator needs none); an unresolved one is not.
    public SecretSetting? UnusableCredential => gateway.Value.ApiKeySetting() is { State: SecretState.UnresolvedReference } key ? key : null;
}
