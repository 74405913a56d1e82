namespace GatewaySimulator;

/// <summary>
/// The provider names a payment can be created with; each one picks a webhook format, signing scheme
/// and merchant-API dialect. <see cref="All"/> is the one list of dialects the simulator speaks: the
/// demo's default gateway mix and <see cref="SimulatorServer.ConnectorSettings"/> follow it, so a
/// dialect added here is in every demo and chaos run.
/// </summary>
public static class PaymentProviders
{
    public const string Standard = "standard";
    public const string Stripe = "stripe";

    public static IReadOnlyList<string> All { get; } = [Standard, Stripe];

    public static bool IsKnown(string? provider) => provider is not null && All.Contains(provider);
}
