namespace Payments.Hosting;

/// <summary>
/// The app's health: healthy when every component it is configured for can serve. <see cref="Configured"/>
/// names the gateway connectors this deployment uses; the others are listed as not configured, no fault.
/// </summary>
public sealed record HealthReport(IReadOnlyList<ComponentHealth> Components, IReadOnlyList<string> Configured)
{
    public bool IsHealthy => Components.All(c => c.Problem is null);

    public string Status => IsHealthy ? "Healthy" : "Degraded";
}
