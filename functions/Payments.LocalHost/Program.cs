using Payments.LocalHost;

var configuration = LocalSettings.Build(args);
await using var host = await LocalFunctionsHost.StartAsync(configuration);
Console.WriteLine($"Payments local host listening on {host.BaseAddress}");
await host.WaitForShutdownAsync();
