using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GatewaySimulator.Tests;

/// <summary>A real HTTP endpoint standing in for the payments backend: records every webhook POST and answers as scripted.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly Func<int, Task<int>> answer;
    private int calls;

    private WebhookReceiver(WebApplication app, Func<int, Task<int>> answer)
    {
        this.app = app;
        this.answer = answer;
    }

    public string BaseUrl { get; private set; } = string.Empty;

    public IReadOnlyList<ReceivedWebhook> Received => received.ToArray();

    /// <summary>Starts a receiver whose answer to the n-th call (1-based) is <paramref name="statusForCall"/>(n), 200 by default.</summary>
    public static Task<WebhookReceiver> StartAsync(Func<int, int>? statusForCall = null) =>
        StartAsync(call => Task.FromResult(statusForCall?.Invoke(call) ?? StatusCodes.Status200OK));

    public static async Task<WebhookReceiver> StartAsync(Func<int, Task<int>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, answer);
        app.MapPost("/api/callbacks/{provider}", (string provider, HttpRequest request) => receiver.HandleAsync(provider, request));
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (received.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Expected {count} webhooks, got {received.Count}.");
            }

            await Task.Delay(20);
        }

        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task<IResult> HandleAsync(string provider, HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        received.Enqueue(new ReceivedWebhook(provider, headers, buffer.ToArray()));
        try
        {
            return Results.StatusCode(await answer(Interlocked.Increment(ref calls)).WaitAsync(request.HttpContext.RequestAborted));
        }
        catch (OperationCanceledException)
        {
            return Results.StatusCode(StatusCodes.Status499ClientClosedRequest);
        }
    }
}

/// <summary>One recorded POST; <see cref="Body"/> holds the exact bytes that were signed.</summary>
internal sealed record ReceivedWebhook(string Provider, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : string.Empty;
}
