using Payments.Secrets;

namespace Payments.Hosting;

/// <summary>One part of the app that can or cannot serve, and why not.</summary>
public sealed record ComponentHealth(string Component, string Status, string? Problem)
{
    public static ComponentHealth Healthy(string component) => new(component, "Healthy", null);

    public static ComponentHealth Unavailable(string component, SecretSetting setting) => new(component, "Unavailable", setting.Problem);
}
