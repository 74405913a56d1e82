using Payments.Secrets;

namespace Payments.Gateway;

/// <summary>
/// An outbound call for a provider this deployment has no account for (its connector's
/// <see cref="IGatewayConnector.ConfiguredBy"/> setting is not set): nothing was sent. Names the
/// provider and the setting, so the parked step tells the operator what to set.
/// </summary>
public sealed class GatewayNotConfiguredException(string provider, SecretSetting configuredBy)
    : Exception($"The {provider} connector is not configured in this deployment ({configuredBy.Key} is not set): no call was sent.")
{
    public string Provider { get; } = provider;

    public string Setting { get; } = configuredBy.Key;
}
