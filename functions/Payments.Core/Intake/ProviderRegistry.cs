using Microsoft.Extensions.Options;

namespace Payments.Intake;

/// <summary>The webhook providers this deployment accepts, by route name.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IWebhookProvider> providers;

    public ProviderRegistry(IEnumerable<IWebhookProvider> providers) =>
        this.providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public ProviderRegistry(IOptions<IntakeOptions> options)
        : this(
        [
            new StandardWebhooksProvider(IntakeOptions.SplitSecrets(options.Value.StandardSecrets), options.Value.Tolerance),
            new StripeProvider(IntakeOptions.SplitSecrets(options.Value.StripeSecrets), options.Value.Tolerance),
        ])
    {
    }

    public IReadOnlyCollection<string> Names => providers.Keys;

    public IWebhookProvider? Find(string name) => providers.GetValueOrDefault(name);
}
