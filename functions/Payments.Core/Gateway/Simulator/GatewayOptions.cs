using System.ComponentModel.DataAnnotations;
using Payments.Secrets;

namespace Payments.Gateway.Simulator;

/// <summary>The simulator connector: where the gateway simulator's own API is and how long a single call may take, bound from <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    [Required, Url]
    public string BaseUrl { get; set; } = "";

    /// <summary>API key sent as a bearer token; empty for gateways (or simulators) that need none.</summary>
    public string ApiKey { get; set; } = "";

    [Range(1, 120)]
    public int AttemptTimeoutSeconds { get; set; } = 10;

    public SecretSetting ApiKeySetting() => new($"{Section}:{nameof(ApiKey)}", ApiKey);
}
