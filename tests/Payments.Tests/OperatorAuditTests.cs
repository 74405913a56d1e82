using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.DevKit;
using Payments.Functions;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Issue 16, item 6: operator actions record who acted, taken from the principal App Service
/// authentication injects, and with sign-in required the operator routes refuse callers without it
/// (401) or without the operator app role (403).
/// </summary>
public sealed class OperatorAuditTests
{
    [Fact]
    public async Task Discarding_a_dead_letter_stores_the_signed_in_operator()
    {
        await using var services = await ServicesAsync(requireSignIn: true);
        var letter = await ParkAsync(services, "audit-1");

        var reply = await DiscardAsync(services, letter, Principal("alice@contoso.example", "0000-alice", "Payments.Operator"));

        Assert.Equal(200, reply.StatusCode);
        var stored = await services.GetRequiredService<DeadLetterStore>().GetAsync(letter);
        Assert.Equal(LetterStatus.Discarded, stored!.Status);
        Assert.Equal("alice@contoso.example (oid 0000-alice)", stored.ResolvedBy);
        Assert.Contains("alice@contoso.example", stored.Resolution, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_sign_in_or_without_the_operator_role_nothing_is_changed()
    {
        await using var services = await ServicesAsync(requireSignIn: true);
        var letter = await ParkAsync(services, "audit-2");

        Assert.Equal(401, (await DiscardAsync(services, letter, headers: null)).StatusCode);
        Assert.Equal(403, (await DiscardAsync(services, letter, Principal("mallory@contoso.example", "0000-mallory", "Payments.Reader"))).StatusCode);
        Assert.Equal(LetterStatus.Parked, (await services.GetRequiredService<DeadLetterStore>().GetAsync(letter))!.Status);
    }

    [Fact]
    public async Task Without_platform_sign_in_the_claimed_caller_is_stored_as_unverified()
    {
        await using var services = await ServicesAsync(requireSignIn: false);
        var letter = await ParkAsync(services, "audit-3");

        var reply = await DiscardAsync(services, letter, new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL-NAME"] = "bob@local" });

        Assert.Equal(200, reply.StatusCode);
        Assert.Equal("bob@local [unverified]", (await services.GetRequiredService<DeadLetterStore>().GetAsync(letter))!.ResolvedBy);
    }

    [Fact]
    public async Task Setting_a_stock_level_leaves_an_audit_trace_naming_the_operator()
    {
        var traces = new AuditTraces();
        await using var services = await ServicesAsync(requireSignIn: true, traces);
        var function = ActivatorUtilities.CreateInstance<OperatorFunctions>(services);
        var http = new DefaultHttpContext { RequestServices = services };
        foreach (var (key, value) in Principal("carol@contoso.example", "0000-carol", "Payments.Operator"))
        {
            http.Request.Headers[key] = value;
        }
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream("{\"available\":7}"u8.ToArray());

        var reply = (HttpReply)await function.SetStock(http.Request, "sku-audit", CancellationToken.None);

        Assert.Equal(200, reply.StatusCode);
        Assert.Contains("Operator audit: carol@contoso.example (oid 0000-carol) sets the available stock to 7 of sku sku-audit", traces.Messages);
    }

    private static async Task<ServiceProvider> ServicesAsync(bool requireSignIn, AuditTraces? traces = null)
    {
        var settings = await PipelineHost.SettingsAsync("audit" + Guid.NewGuid().ToString("N")[..8], FreePort.Next());
        settings["OperatorAccess:RequireSignIn"] = requireSignIn.ToString();
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9"; // never called here
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(traces ?? new AuditTraces()))
            .AddPaymentsCore(configuration)
            .BuildServiceProvider();
    }

    private static async Task<string> ParkAsync(IServiceProvider services, string id)
    {
        await services.GetRequiredService<DeadLetterStore>().ParkAsync(new ParkedLetter(
            id, "standard", "evt-" + id, "order-" + id, "callback_missing", "", 1, LetterStatus.Parked, DateTimeOffset.UtcNow, null, null, null));
        return id;
    }

    /// <summary>The headers App Service authentication sets for a signed-in caller with these app roles.</summary>
    private static Dictionary<string, string> Principal(string name, string objectId, params string[] roles)
    {
        var claims = new List<object> { new { typ = "name", val = name }, new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId } };
        claims.AddRange(roles.Select(r => new { typ = "roles", val = r }));
        var principal = JsonSerializer.Serialize(new { auth_typ = "aad", claims, name_typ = "name", role_typ = "roles" });
        return new Dictionary<string, string>
        {
            ["X-MS-CLIENT-PRINCIPAL"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(principal)),
            ["X-MS-CLIENT-PRINCIPAL-NAME"] = name,
            ["X-MS-CLIENT-PRINCIPAL-ID"] = objectId,
        };
    }

    private static async Task<HttpReply> DiscardAsync(IServiceProvider services, string letter, Dictionary<string, string>? headers)
    {
        var function = ActivatorUtilities.CreateInstance<DeadLetterFunctions>(services);
        var http = new DefaultHttpContext { RequestServices = services };
        foreach (var (key, value) in headers ?? [])
        {
            http.Request.Headers[key] = value;
        }
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream("{\"reason\":\"duplicate of a settled payment\"}"u8.ToArray());
        return (HttpReply)await function.Discard(http.Request, letter, CancellationToken.None);
    }

    /// <summary>Keeps the operator-audit traces written during a test.</summary>
    private sealed class AuditTraces : ILoggerProvider, ILogger
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (message.StartsWith("Operator audit:", StringComparison.Ordinal))
            {
                lock (Messages)
                {
                    Messages.Add(message);
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
