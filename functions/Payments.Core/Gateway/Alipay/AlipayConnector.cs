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

    /// <summary>Alipay's public keys are what authenticates its notifications: the webhook side waits for them.</summary>
    public SecretSetting WebhookSecrets => options.Value.AlipayPublicKeysSetting();

    // Alipay's notifications carry no timestamp to hold against a tolerance; the inbox absorbs redeliveries.
    public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) => new AlipayProvider(
        [.. SecretList.Split(WebhookSecrets.Value).Select(AlipaySignature.PublicKey)], options.Value.AppId, options.Value.SellerId);

    public IPaymentGateway Outbound => new AlipayGateway(() => http.CreateClient(HttpClientName), options.Value, clock);

    // Requests need the app's key to be signed and Alipay's to be believed.
    public SecretSetting? UnusableCredential =>
        options.Value.AppPrivateKeySetting() is { IsSet: false } key ? key
        : options.Value.AlipayPublicKeysSetting() is { IsSet: false } keys ? keys
        : null;
}
