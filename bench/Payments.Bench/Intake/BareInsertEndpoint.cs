using System.Net;
using Azure.Data.Tables;
using Payments.Hosting;
using Payments.Storage;

namespace Payments.Benchmarks.Intake;

/// <summary>
/// The limit intake is measured against: the same Kestrel stack (a slim WebApplication, as the
/// local host uses) in the same process, doing nothing but the one Table insert intake does, into
/// the same Azurite, through a table client configured by the same factory. No signature check, no
/// parsing, no dispatch.
/// </summary>
public sealed class BareInsertEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;

    private BareInsertEndpoint(WebApplication app) => this.app = app;

    public Uri Url => new(new Uri(app.Urls.First()), "bare/insert");

    public static async Task<BareInsertEndpoint> StartAsync(string connectionString, string prefix, int port)
    {
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = connectionString, NamePrefix = prefix });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapPost("/bare/insert", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            var table = await storage.TableAsync(TableNames.Inbox, http.RequestAborted);
            // The inbox's row shape and size, keyed the same way, but filled without verifying or
            // parsing anything: the event columns carry placeholders of the same length.
            var now = DateTimeOffset.UtcNow;
            var eventId = http.Request.Headers["webhook-id"].ToString();
            await table.AddEntityAsync(new TableEntity("standard", Uri.EscapeDataString(eventId))
            {
                ["EventId"] = eventId,
                ["Body"] = buffer.ToArray(),
                ["SignatureHeaders"] = SignatureHeadersJson(http.Request.Headers),
                ["ReceivedAt"] = now,
                ["ExpiresAt"] = now.AddDays(7),
                ["State"] = "Received",
                ["Kind"] = "Succeeded",
                ["PaymentId"] = eventId,
                ["OrderId"] = eventId,
                ["AmountMinor"] = 2500L,
                ["Currency"] = "EUR",
                ["OccurredAt"] = now,
            }, http.RequestAborted);
            return Results.Ok();
        });
        await app.StartAsync();
        return new BareInsertEndpoint(app);
    }

    private static string SignatureHeadersJson(IHeaderDictionary headers) => System.Text.Json.JsonSerializer.Serialize(
        new Dictionary<string, string>
        {
            ["webhook-id"] = headers["webhook-id"].ToString(),
            ["webhook-timestamp"] = headers["webhook-timestamp"].ToString(),
            ["webhook-signature"] = headers["webhook-signature"].ToString(),
        });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
