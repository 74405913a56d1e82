namespace GatewaySimulator.Tests;

/// <summary>Starts simulators with test-friendly defaults: short retries, webhooks to the given receiver.</summary>
internal static class TestSimulator
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static Task<SimulatorServer> StartAsync(WebhookReceiver? receiver = null, Func<SimulatorOptions, SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions
        {
            // Nothing listens on the discard port, so a simulator without a receiver just fails its deliveries fast.
            CallbackBaseUrl = receiver?.BaseUrl ?? "http://127.0.0.1:9",
            RetrySchedule = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)],
            DeliveryTimeout = TimeSpan.FromSeconds(5),
        };
        return SimulatorServer.StartAsync(configure is null ? options : configure(options));
    }

    public static HttpClient ClientFor(SimulatorServer server) => new() { BaseAddress = server.BaseAddress };
}
