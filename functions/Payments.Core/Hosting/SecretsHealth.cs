using Microsoft.Extensions.Options;
using Payments.Gateway;
using Payments.Intake;
using Payments.Secrets;

namespace Payments.Hosting;

/// <summary>
/// What the app cannot serve because a secret setting is unusable, for the health endpoint and the
/// availability alert behind it. Reports setting names and states, never values.
/// </summary>
public sealed class SecretsHealth(ProviderRegistry providers, IOptions<GatewayOptions> gateway)
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
        // An empty key is allowed (gateways or simulators that need none); an unresolved one is not.
        var apiKey = gateway.Value.ApiKeySetting();
        components.Add(apiKey.State == SecretState.UnresolvedReference
            ? ComponentHealth.Unavailable("gateway", apiKey)
            : ComponentHealth.Healthy("gateway"));
        return new HealthReport(components);
    }
}
