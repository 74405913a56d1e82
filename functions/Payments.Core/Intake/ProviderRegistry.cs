namespace Payments.Intake;

/// <summary>The webhook providers this deployment accepts, by route name.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IWebhookProvider> providers;

    public ProviderRegistry(IEnumerable<IWebhookProvider> providers) =>
        this.providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static ProviderRegistry FromOptions(IntakeOptions options) => new(
    [
        new StandardWebhooksProvider(IntakeOptions.SplitSecrets(options.StandardSecrets), options.Tolerance),
        new StripeProvider(IntakeOptions.SplitSecrets(options.StripeSecrets), options.Tolerance),
    ]);

    public IReadOnlyCollection<string> Names => providers.Keys;

    public IEnumerable<IWebhookProvider> All => providers.Values;

    public IWebhookProvider? Find(string name) => providers.GetValueOrDefault(name);
}
