namespace Payments.Hosting;

/// <summary>The app's health: healthy only when every component can serve.</summary>
public sealed record HealthReport(IReadOnlyList<ComponentHealth> Components)
{
    public bool IsHealthy => Components.All(c => c.Problem is null);

    public string Status => IsHealthy ? "Healthy" : "Degraded";
}
