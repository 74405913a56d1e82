using Payments.Gateway;

namespace Payments.Intake;

/// <summary>How intake answered one callback; each case maps to exactly one HTTP reply.</summary>
public abstract record IntakeResult
{
    private IntakeResult() { }

    /// <summary>Stored (or already stored): the gateway gets its own success reply.</summary>
    public sealed record Acknowledged(WebhookAcknowledgement Reply, string Disposition) : IntakeResult;

    public sealed record UnknownProvider(string Provider) : IntakeResult;

    /// <summary>
    /// The provider is configured but its secret is unusable: nothing was read or stored, the gateway
    /// must retry. Deliberately carries no detail for the caller; the health endpoint says why.
    /// </summary>
    public sealed record ProviderUnavailable(string Provider) : IntakeResult;

    /// <summary>
    /// The provider's connector is not configured in this deployment (<see cref="IGatewayConnector.ConfiguredBy"/>):
    /// nothing was read or stored; answered 503 naming <paramref name="Setting"/> (a setting's name, no secret).
    /// </summary>
    public sealed record ProviderNotConfigured(string Provider, string Setting) : IntakeResult;

    public sealed record TooLarge(int MaxBytes) : IntakeResult;

    /// <summary>Bad or missing signature, or a stale timestamp. Deliberately carries no detail.</summary>
    public sealed record Unauthorized : IntakeResult;

    public sealed record Invalid(IReadOnlyList<string> Errors) : IntakeResult;

    /// <summary>Storage is down: nothing was stored, the gateway must retry.</summary>
    public sealed record Unavailable : IntakeResult;
}
