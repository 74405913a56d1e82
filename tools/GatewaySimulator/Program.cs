using System.Runtime.InteropServices;
using GatewaySimulator;

// Manual runs: `dotnet run --project tools/GatewaySimulator -- --Port 7080 --CallbackBaseUrl http://127.0.0.1:7071`.
// Every SimulatorOptions property can be given as --Name value or as an environment variable GATEWAYSIM_Name.
if (args.Any(arg => arg is "--help" or "-h" or "/?"))
{
    Console.WriteLine("""
        Payment gateway simulator (loopback only).
          --Port 7080                          0 picks a free port
          --CallbackBaseUrl http://127.0.0.1:7071   webhooks go to {url}/api/callbacks/{standard|stripe|wechatpay|alipay|adyen}
          --StandardSecret whsec_<base64>      --StripeSecret <secret>      --ApiKey <key>
          --Seed 1  --DuplicateRate 0.1  --ReorderRate 0.1  --LossRate 0.01
          --DeliveryDelayMin 00:00:00.050  --DeliveryDelayMax 00:00:00.500
          --ApiErrorRate 0.05  --ApiTimeoutRate 0.01  --ApiTimeout 00:00:10
          --RetrySchedule 00:00:01,00:00:02,00:00:05  --DeliveryTimeout 00:00:10
          --MaxConcurrentDeliveries 1  --MinimumLogLevel Information  --MalformedStatementLines 0
        Environment: GATEWAYSIM_<Name>, e.g. GATEWAYSIM_Port=7080.
        """);
    return 0;
}

var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables(prefix: "GATEWAYSIM_")
    .AddCommandLine(args)
    .Build();

SimulatorOptions options;
try
{
    options = SimulatorOptions.FromConfiguration(configuration);
    if (configuration[nameof(SimulatorOptions.MinimumLogLevel)] is null)
    {
        options = options with { MinimumLogLevel = LogLevel.Information };
    }

    options.Validate();
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"Invalid options: {e.Message}");
    return 2;
}

using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using (var server = await SimulatorServer.StartAsync(options, stop.Token))
{
    Console.WriteLine($"Gateway simulator listening on {server.BaseAddress} (seed {options.Seed}); webhooks -> {options.CallbackBaseUrl}/api/callbacks/{{provider}}. Ctrl+C to stop.");
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C or SIGTERM.
    }

    Console.WriteLine($"Stopping. {server.Stats}");
}

return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
