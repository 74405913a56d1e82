using Microsoft.Playwright;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Console;

/// <summary>
/// A pipeline and a real headless Chromium for the console's browser tests. Playwright's own browser
/// download is unreachable here, so it drives the OS package (<c>apt-get install chromium</c>, which
/// tools/test.sh does when missing), or the one <c>PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH</c> names.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    private static readonly string[] KnownPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

    private IPlaywright? playwright;
    private IBrowser? browser;
    private PipelineHost? pipeline;

    public PipelineHost Pipeline => pipeline ?? throw new InvalidOperationException("Not started.");

    /// <summary>Where screenshots go: <c>PAYMENTS_CONSOLE_SCREENSHOTS</c> (tools/console-screenshots.sh sets docs/console), else a temp folder.</summary>
    public static string ScreenshotFolder => Environment.GetEnvironmentVariable("PAYMENTS_CONSOLE_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(Path.GetTempPath(), "payments-console-screenshots");

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH") is { Length: > 0 } configured
            ? configured
            : KnownPaths.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException("No Chromium found: install the OS package (apt-get install -y chromium; tools/test.sh does) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH.");
        playwright = await Playwright.CreateAsync();
        // --no-sandbox: CI runs the tests as root, where Chromium's sandbox refuses to start.
        browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true, Args = ["--no-sandbox"] });
        pipeline = await PipelineHost.StartAsync("browser", settings =>
        {
            settings["Reconciler:ActiveQueryAfterSeconds"] = "1";
            settings["Lane:MaxAttempts"] = "2";
            settings["Faults:IntakeDispatchFailureRate"] = "0";
        }, gateway => gateway with { LossRate = 1.0 });
    }

    /// <summary>A fresh page, on nothing yet.</summary>
    public Task<IPage> NewPageAsync() => browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });

    /// <summary>A fresh page on the console, as an operator named <paramref name="operatorName"/>.</summary>
    public async Task<IPage> OpenConsoleAsync(string operatorName = "local")
    {
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(Pipeline.Host.BaseAddress, "api/ops/console").ToString());
        await page.FillAsync("#operator", operatorName);
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
        playwright?.Dispose();
        if (pipeline is not null)
        {
            await pipeline.DisposeAsync();
        }
    }
}
