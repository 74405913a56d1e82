using Payments.Secrets;

namespace Payments.Gateway;

/// <summary>
/// Everything one gateway needs, in both directions: its webhook dialect (verify, parse, acknowledge)
/// and its outbound port (query, close, refund, statement). One folder per connector under Gateway/;
/// each registers itself with its own settings section and secrets.
/// </summary>
public interface IGatewayConnector
{
    /// <summary>The provider name: the callback route segment and the order's <c>provider</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The one setting that says this deployment uses the gateway: its account id (WeChat Pay's merchant
    /// id, Alipay's app id, Adyen's merchant accounts) or, where there is none, its webhook secrets
    /// (simulator, Stripe). Every connector is registered, always, and not set means <em>not configured</em>:
    /// <list type="bullet">
    /// <item>its route <c>/api/callbacks/{Name}</c> exists and answers <b>503</b> with a problem+json naming
    /// this setting (404 stays for a provider no connector knows);</item>
    /// <item>its outbound calls throw <see cref="GatewayNotConfiguredException"/> before anything is sent, it
    /// is not queried by the active query and has no statement;</item>
    /// <item><c>/api/health</c> lists it as <c>NotConfigured</c>, which is no fault; none of its other
    /// settings is checked at start-up.</item>
    /// </list>
    /// Why 503 and not 404: every gateway here retries any answer but its success (Stripe 3 days, WeChat Pay
    /// 24 h, Alipay 25 h, Adyen 30 days), so the code does not decide whether a callback is retried, it
    /// decides what the person reading the gateway's delivery log does. 404 says "wrong URL" and sends them
    /// hunting for a route that is right; 503 says "this server cannot take it yet", which is the truth: a
    /// callback that reaches a deployment whose account is still being set up (or was dropped too early) is
    /// delivered again once the setting is there, within the gateway's horizon, and none is lost. It is also
    /// what a connector whose secret is an unresolved Key Vault reference answers, so the gateway sees one
    /// behaviour for "cannot serve yet"; the problem detail and health tell the two apart.
    /// </summary>
    SecretSetting ConfiguredBy { get; }

    /// <summary>Whether this deployment uses the gateway (<see cref="ConfiguredBy"/> is set, or an unresolved reference to a value).</summary>
    bool IsConfigured => ConfiguredBy.State != SecretState.NotSet;

    /// <summary>The webhook secrets; the connector's callbacks are refused with 503 unless the setting is usable.</summary>
    SecretSetting WebhookSecrets { get; }

    /// <summary>
    /// How long the gateway keeps retrying a callback it did not see acknowledged (GATEWAYS.md): the
    /// inbox must remember a callback at least this long to recognise the retry as a duplicate.
    /// </summary>
    TimeSpan RetryHorizon { get; }

    /// <summary>The webhook dialect keyed by <see cref="WebhookSecrets"/>; asked for only when they are set.</summary>
    IWebhookProvider CreateWebhookProvider(TimeSpan tolerance);

    /// <summary>The outbound port for payments of this provider.</summary>
    IPaymentGateway Outbound { get; }

    /// <summary>The credential setting that keeps outbound calls from being sent, or null when they can be.</summary>
    SecretSetting? UnusableCredential { get; }

    /// <summary>
    /// The only currencies this gateway settles (orders in another are refused at registration, before
    /// anyone can pay them), or null for any.
    /// </summary>
    IReadOnlyCollection<string>? Currencies => null;
}
