using Payments.Gateway;
using Payments.Intake;

namespace Payments.Hosting;

/// <summary>
/// What the app cannot serve because a secret setting is unusable, and which gateway connectors it is
/// configured for, for the health endpoint and the availability alert behind it. Reports setting names
/// and states, never values.
/// </summary>
public sealed class SecretsHealth(ProviderRegistry providers, GatewayConnectors connectors)
{
    public HealthReport Check()
    {
        var components = new List<ComponentHealth>();
        foreach (var connector in connectors.All)
        {
            var callbacks = $"callbacks:{connector.Name}";
            components.Add(providers.NotConfigured.TryGetValue(connector.Name, out var configuredBy) ? ComponentHealth.NotConfigured(callbacks, configuredBy)
                : providers.Unavailable.TryGetValue(connector.Name, out var secrets) ? ComponentHealth.Unavailable(callbacks, secrets)
                : ComponentHealth.Healthy(callbacks));
        }
        foreach (var connector in connectors.All)
        {
            var outbound = $"connector:{connector.Name}";
            components.Add(!connector.IsConfigured ? ComponentHealth.NotConfigured(outbound, connector.ConfiguredBy)
                : connector.UnusableCredential is { } credential ? ComponentHealth.Unavailable(outbound, credential)
                : ComponentHealth.Healthy(outbound));
        }
        return new HealthReport(components, [.. connectors.All.Where(c => c.IsConfigured).Select(c => c.Name)]);
    }
}
