using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Secrets;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// WeChat Pay API v3 in both directions: signed, encrypted notifications in; signed requests with
/// verified responses out. Provider <c>wechatpay</c>. The webhook "secret" is the APIv3 key (it
/// decrypts every notification); the outbound credential is the merchant private key.
/// </summary>
public sealed class WeChatPayConnector(IServiceProvider services, IOptions<WeChatPayOptions> options) : IGatewayConnector
{
    public string Name => WeChatPayProvider.ProviderName;

    public TimeSpan RetryHorizon => WeChatPayProvider.RetryHorizon;

    /// <summary>Domestic payments settle in CNY only.</summary>
    public IReadOnlyCollection<string>? Currencies => ["CNY"];

    public SecretSetting ConfiguredBy => options.Value.MerchantIdSetting();

    public SecretSetting WebhookSecrets => options.Value.ApiV3KeySetting();

    public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) =>
        new WeChatPayProvider(PlatformKeyring.Parse(options.Value.PlatformPublicKeys), SecretList.Split(WebhookSecrets.Value), options.Value.MerchantId, tolerance);

    // A typed client per use, so the factory can rotate its handlers.
    public IPaymentGateway Outbound => services.GetRequiredService<WeChatPayGateway>();

    // WeChat Pay cannot be called without the merchant key: unset is as unusable as an unresolved reference.
    public SecretSetting? UnusableCredential => options.Value.MerchantPrivateKeySetting() is { IsSet: false } key ? key : null;
}
