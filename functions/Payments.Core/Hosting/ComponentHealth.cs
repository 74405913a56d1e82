using Payments.Secrets;

namespace Payments.Hosting;

/// <summary>
/// One part of the app that can or cannot serve, and why not. <see cref="NotConfiguredStatus"/> is no
/// fault: the deployment does not use that gateway, and <see cref="Setting"/> names what would say it does.
/// </summary>
public sealed record ComponentHealth(string Component, string Status, string? Problem, string? Setting = null)
{
    public const string HealthyStatus = "Healthy";
    public const string UnavailableStatus = "Unavailable";
    public const string NotConfiguredStatus = "NotConfigured";

    public static ComponentHealth Healthy(string component) => new(component, HealthyStatus, null);

    public static ComponentHealth Unavailable(string component, SecretSetting setting) => new(component, UnavailableStatus, setting.Problem, setting.Key);

    public static ComponentHealth NotConfigured(string component, SecretSetting setting) => new(component, NotConfiguredStatus, null, setting.Key);
}
