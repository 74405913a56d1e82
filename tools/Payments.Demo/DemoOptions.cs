using System.ComponentModel.DataAnnotations;

namespace Payments.Demo;

/// <summary>The demo's own knobs, bound from the <c>Demo</c> section (e.g. <c>--Demo:Orders 50</c>).</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    [Range(1, 5000)]
    public int Orders { get; set; } = 200;

    public int Seed { get; set; } = 7;

    [Range(0.1, 100)]
    public double RegistrationsPerSecond { get; set; } = 8;

    /// <summary>How long after the last customer action the pipeline may take to go quiet before the run fails.</summary>
    [Range(10, 3600)]
    public int QuietTimeoutSeconds { get; set; } = 180;

    [Range(1, 60)]
    public int ProgressSeconds { get; set; } = 2;

    /// <summary>
    /// The gateway mix, comma-separated provider names (e.g. <c>simulator,stripe</c>; <c>simulator</c>
    /// names the simulator's own API, provider <c>standard</c>). Empty: every dialect the simulator speaks.
    /// </summary>
    public string Gateways { get; set; } = "";

    /// <summary>The providers of <see cref="Gateways"/>, each known to the simulator; throws naming the unknown ones.</summary>
    public IReadOnlyList<string> GatewayMix()
    {
        var names = Gateways.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(name => name == "simulator" ? GatewaySimulator.PaymentProviders.Standard : name)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var unknown = names.Where(name => !GatewaySimulator.PaymentProviders.IsKnown(name)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidOperationException($"Demo:Gateways names gateways the simulator does not speak: {string.Join(", ", unknown)} "
                + $"(known: simulator, {string.Join(", ", GatewaySimulator.PaymentProviders.All.Where(p => p != GatewaySimulator.PaymentProviders.Standard))}).");
        }
        return names.Length > 0 ? names : GatewaySimulator.PaymentProviders.All;
    }

    /// <summary>An order-service outage of this many seconds (0: none; the default run has one): registrations held, payments and webhooks going on.</summary>
    [Range(0, 3600)]
    public int OutageSeconds { get; set; } = 10;

    /// <summary>When the outage starts, in seconds from the run's start.</summary>
    [Range(0, 3600)]
    public int OutageAtSeconds { get; set; } = 5;

    /// <summary>Start a private in-memory Azurite even when one already listens on the default ports.</summary>
    public bool OwnAzurite { get; set; }

    /// <summary>
    /// Leave the pipeline (local host, simulator, Azurite) up after the report, printing the operator
    /// console's address, until Ctrl+C.
    /// </summary>
    public bool KeepRunning { get; set; }
}
