using Payments.Gateway;
using Payments.Secrets;

namespace Payments.Intake;

/// <summary>
/// The webhook providers this deployment accepts, by route name. A provider whose secret setting is
/// not usable (an unresolved Key Vault reference) is known but unavailable: intake refuses its
/// callbacks with 503 rather than verify them against a key anyone could guess.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IWebhookProvider> providers;
    private readonly Dictionary<string, SecretSetting> unavailable;

    public ProviderRegistry(IEnumerable<IWebhookProvider> providers, IEnumerable<KeyValuePair<string, SecretSetting>>? unavailable = null)
    {
        this.providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        this.unavailable = new Dictionary<string, SecretSetting>(unavailable ?? [], StringComparer.Ordinal);
    }

    /// <summary>The webhook side of every connector: available where its webhook secrets are usable.</summary>
    public static ProviderRegistry FromConnectors(IEnumerable<IGatewayConnector> connectors, TimeSpan tolerance)
    {
        var providers = new List<IWebhookProvider>();
        var unavailable = new Dictionary<string, SecretSetting>();
        foreach (var connector in connectors)
        {
            if (connector.WebhookSecrets.IsSet)
            {
                providers.Add(connector.CreateWebhookProvider(tolerance));
            }
            else
            {
                unavailable[connector.Name] = connector.WebhookSecrets;
            }
        }
        return new ProviderRegistry(providers, unavailable);
    }

    /// <summary>Every provider this deployment is configured for, available or not: orders may name any of them.</summary>
    public IReadOnlyCollection<string> Names => [.. providers.Keys, .. unavailable.Keys];

    public IEnumerable<IWebhookProvider> All => providers.Values;

    /// <summary>Providers that cannot serve, with the secret setting that keeps each from serving.</summary>
    public IReadOnlyDictionary<string, SecretSetting> Unavailable => unavailable;

    public IWebhookProvider? Find(string name) => providers.GetValueOrDefault(name);
}
