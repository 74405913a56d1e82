using Microsoft.Extensions.Options;
using Payments.Secrets;

namespace Payments.Gateway.Adyen;

/// <summary>Adyen's standard webhooks, intake only (no outbound calls yet). Provider <c>adyen</c>.</summary>
public sealed class AdyenConnector(IOptions<AdyenOptions> options) : IGatewayConnector
{
    public string Name => AdyenProvider.ProviderName;

    public TimeSpan RetryHorizon => AdyenProvider.RetryHorizon;

    public SecretSetting ConfiguredBy => options.Value.MerchantAccountsSetting();

    /// <summary>The HMAC keys, unless no merchant account is configured: then no item could be ours.</summary>
    public SecretSetting WebhookSecrets => options.Value.MerchantAccountsSetting() is { IsSet: false } accounts ? accounts : options.Value.HmacKeysSetting();

    // Adyen items carry no signed timestamp; the inbox absorbs redeliveries for the whole retry horizon.
    public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) =>
        new AdyenProvider(SecretList.Split(WebhookSecrets.Value), options.Value.MerchantAccountList(), options.Value.Capture());

    public IPaymentGateway Outbound { get; } = new AdyenIntakeOnlyGateway();

    // Nothing is ever sent, so no credential can keep a call from being sent.
    public SecretSetting? UnusableCredential => null;
}
