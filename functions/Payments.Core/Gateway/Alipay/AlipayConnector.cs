using Microsoft.Extensions.Options;
using Payments.Secrets;

namespace Payments.Gateway.Alipay;

/// <summary>
/// Alipay in both directions, on the .NET base library's RSA (no SDK): RSA2-signed notifications in,
/// the open platform's gateway out. Provider <c>alipay</c>.
/// </summary>
public sealed class AlipayConnector(IHttpClientFactory http, IOptions<AlipayOptions> options, TimeProvider clock) : IGatewayConnector
{
    public const string HttpClientName = "alipay";

    public string Name => AlipayProvider.ProviderName;

    public TimeSpan RetryHorizon => AlipayProvider.RetryHorizon;

    /// <summary>Domestic payments settle in CNY only.</summary>
    public IReadOnlyCollection<string>? Currencies => ["CNY"];

    public SecretSetting ConfiguredBy => options.Value.AppIdSetting();

    /// <summary>Alipay's public keys authenticate its notifications, and the app id says which are ours: the webhook side waits for both.</summary>
    public SecretSetting WebhookSecrets => options.Value.AppIdSetting() is { IsSet: false } appId ? appId : options.Value.AlipayPublicKeysSetting();

    // Alipay's notifications carry no timestamp to hold against a tolerance; the inbox absorbs redeliveries.
    public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) => new AlipayProvider(
        [.. SecretList.Split(WebhookSecrets.Value).Select(AlipaySignature.PublicKey)], options.Value.AppId, options.Value.SellerId);

    public IPaymentGateway Outbound => new AlipayGateway(() => http.CreateClient(HttpClientName), options.Value, clock);

    // Requests need the app's key to be signed and Alipay's to be believed.
    public SecretSetting? UnusableCredential =>
        options.Value.AppIdSetting() is { IsSet: false } appId ? appId
        : options.Value.AppPrivateKeySetting() is { IsSet: false } key ? key
        : options.Value.AlipayPublicKeysSetting() is { IsSet: false } keys ? keys
        : null;
}
