using Microsoft.Extensions.Options;
using Payments.Secrets;
using Stripe;

namespace Payments.Gateway.Stripe;

/// <summary>Stripe in both directions: Stripe-signed webhooks in, Stripe.net out. Provider <c>stripe</c>.</summary>
public sealed class StripeConnector(IHttpClientFactory http, IOptions<StripeOptions> options) : IGatewayConnector
{
    public const string HttpClientName = "stripe";

    public string Name => StripeProvider.ProviderName;

    public TimeSpan RetryHorizon => StripeProvider.RetryHorizon;

    /// <summary>The webhook endpoint's secrets: a Stripe account without an endpoint sends nothing this pipeline could take (required at start-up).</summary>
    public SecretSetting ConfiguredBy => WebhookSecrets;

    public SecretSetting WebhookSecrets => options.Value.WebhookSecretsSetting();

    public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) => new StripeProvider(SecretList.Split(WebhookSecrets.Value), tolerance);

    public IPaymentGateway Outbound => new StripeGateway(CreateClient, options.Value.ApiKeySetting());

    // Stripe cannot be called without a key: unset is as unusable as an unresolved reference.
    public SecretSetting? UnusableCredential => options.Value.ApiKeySetting() is { IsSet: false } key ? key : null;

    /// <summary>
    /// Stripe.net over the connector's own HttpClient, whose resilience handler does the in-call
    /// retries (honouring Stripe-Should-Retry and 429); Stripe.net's own retries stay off so the two
    /// never multiply.
    /// </summary>
    private StripeClient CreateClient() => new(new StripeClientOptions
    {
        ApiKey = options.Value.ApiKeySetting().Value,
        ApiBase = options.Value.ApiBase.TrimEnd('/'),
        HttpClient = new SystemNetHttpClient(http.CreateClient(HttpClientName), maxNetworkRetries: 0, appInfo: null, enableTelemetry: false),
    });
}
