using Payments.Gateway;
using Payments.Secrets;

namespace Payments.Intake;

/// <summary>
/// The webhook providers of this deployment, by route name: every connector's, configured or not
/// (<see cref="IGatewayConnector.ConfiguredBy"/> says why each answer is what it is). A provider that is
/// not configured, or whose secret setting is not usable (an unresolved Key Vault reference), is known
/// but cannot serve: intake answers its callbacks 503 rather than verify them against a key anyone could guess.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IWebhookProvider> providers;
    private readonly Dictionary<string, SecretSetting> unavailable;
    private readonly Dictionary<string, SecretSetting> notConfigured;

    public ProviderRegistry(
        IEnumerable<IWebhookProvider> providers,
        IEnumerable<KeyValuePair<string, SecretSetting>>? unavailable = null,
        IEnumerable<KeyValuePair<string, SecretSetting>>? notConfigured = null)
    {
        this.providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        this.unavailable = new Dictionary<string, SecretSetting>(unavailable ?? [], StringComparer.Ordinal);
        this.notConfigured = new Dictionary<string, SecretSetting>(notConfigured ?? [], StringComparer.Ordinal);
    }

    /// <summary>The webhook side of every connector: serving where it is configured and its webhook secrets are usable.</summary>
    public static ProviderRegistry FromConnectors(IEnumerable<IGatewayConnector> connectors, TimeSpan tolerance)
    {
        var providers = new List<IWebhookProvider>();
        var unavailable = new Dictionary<string, SecretSetting>();
        var notConfigured = new Dictionary<string, SecretSetting>();
        foreach (var connector in connectors)
        {
            if (!connector.IsConfigured)
            {
                notConfigured[connector.Name] = connector.ConfiguredBy;
            }
            else if (connector.WebhookSecrets.IsSet)
            {
                providers.Add(connector.CreateWebhookProvider(tolerance));
            }
            else
            {
                unavailable[connector.Name] = connector.WebhookSecrets;
            }
        }
        return new ProviderRegistry(providers, unavailable, notConfigured);
    }

    /// <summary>Every provider this deployment has a connector for, serving or not: orders may name any of them.</summary>
    public IReadOnlyCollection<string> Names => [.. providers.Keys, .. unavailable.Keys, .. notConfigured.Keys];

    public IEnumerable<IWebhookProvider> All => providers.Values;

    /// <summary>Configured providers that cannot serve, with the secret setting that keeps each from serving.</summary>
    public IReadOnlyDictionary<string, SecretSetting> Unavailable => unavailable;

    /// <summary>Providers this deployment does not use, with the setting that would say it does.</summary>
    public IReadOnlyDictionary<string, SecretSetting> NotConfigured => notConfigured;

    public IWebhookProvider? Find(string name) => providers.GetValueOrDefault(name);
}
