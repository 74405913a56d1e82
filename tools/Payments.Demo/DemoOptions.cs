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

    /// <summary>
    /// How long after the last customer action the pipeline may take to go quiet before the run fails,
    /// at least: the run allows <see cref="QuietSecondsPerOrder"/> per order when that is more.
    /// </summary>
    [Range(10, 3600)]
    public int QuietTimeoutSeconds { get; set; } = 180;

    /// <summary>
    /// Patience per order: the work left when the customers stop grows with the orders, and on a shared
    /// machine the pipeline may settle no more than a few orders a second (500 orders took about 5 min
    /// past the last customer action on a 2-core machine running five other builds and test suites).
    /// </summary>
    [Range(0.0, 60.0)]
    public double QuietSecondsPerOrder { get; set; } = 1.5;

    /// <summary>How long the pipeline may take to go quiet: <see cref="QuietTimeoutSeconds"/>, or <see cref="QuietSecondsPerOrder"/> × <see cref="Orders"/> when longer.</summary>
    public TimeSpan QuietTimeout() => TimeSpan.FromSeconds(Math.Max(QuietTimeoutSeconds, QuietSecondsPerOrder * Orders));

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
