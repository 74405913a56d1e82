using Microsoft.Extensions.Configuration;
using Payments.Replay;

// dotnet run --project tools/Payments.Replay -- --Target https://staging.example/ --Fixtures callbacks.json [--Mode Ops]
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables()
    .AddCommandLine(args, new Dictionary<string, string> { ["--Target"] = "Replay:Target", ["--Fixtures"] = "Replay:Fixtures", ["--Mode"] = "Replay:Mode", ["--FunctionKey"] = "Replay:FunctionKey" })
    .Build();
var options = configuration.GetSection(ReplayOptions.Section).Get<ReplayOptions>() ?? new ReplayOptions();
System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
var sender = new FixtureSender(http, options);
var refused = 0;
foreach (var file in FixtureSender.Load(options.Fixtures!))
{
    foreach (var outcome in await sender.SendAsync(file, CancellationToken.None))
    {
        Console.WriteLine($"{outcome.Provider}/{outcome.EventId}: {outcome.StatusCode} {outcome.Disposition}");
        refused += outcome.StatusCode is >= 200 and < 300 ? 0 : 1;
    }
}
return refused == 0 ? 0 : 1;
