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
