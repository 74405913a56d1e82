using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Payments.Tests.Console;

/// <summary>
/// Another site for the console's browser tests: one hostile page served on a free loopback port and
/// opened as <c>http://localhost:{port}/</c>, which to a browser is another site than the console's
/// <c>127.0.0.1</c>. A real server (not the browser's request routing) so that Chromium, which keeps
/// public pages from framing local ones, sees a local page and applies only the console's own rules.
/// </summary>
public sealed class AttackerSite : IAsyncDisposable
{
    private readonly WebApplication app;

    private AttackerSite(WebApplication app)
    {
        this.app = app;
        Page = new Uri($"http://localhost:{new Uri(app.Urls.First()).Port}/");
    }

    public Uri Page { get; }

    public static async Task<AttackerSite> StartAsync(string html)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
        await app.StartAsync();
        return new AttackerSite(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
