using Payments.Gateway;
using Payments.Intake;

namespace Payments.Hosting;

/// <summary>
/// What the app cannot serve because a secret setting is unusable, for the health endpoint and the
/// availability alert behind it. Reports setting names and states, never values.
/// </summary>
public sealed class SecretsHealth(ProviderRegistry providers, GatewayConnectors connectors)
{
    public HealthReport Check()
    {
        var components = new List<ComponentHealth>();
        foreach (var name in providers.Names.Order(StringComparer.Ordinal))
        {
            components.Add(providers.Unavailable.TryGetValue(name, out var secrets)
                ? ComponentHealth.Unavailable($"callbacks:{name}", secrets)
                : ComponentHealth.Healthy($"callbacks:{name}"));
        }
        foreach (var connector in connectors.All)
        {
            components.Add(connector.UnusableCredential is { } credential
                ? ComponentHealth.Unavailable($"connector:{connector.Name}", credential)
                : ComponentHealth.Healthy($"connector:{connector.Name}"));
        }
        return new HealthReport(components);
    }
}
