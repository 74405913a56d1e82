using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Functions;
using Payments.Hosting;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Storage down at intake: the gateway gets 503 quickly and retries; nothing is half-stored.</summary>
public sealed class StorageOutageTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task Intake_answers_503_when_the_inbox_table_is_unreachable()
    {
        var settings = await PipelineHost.SettingsAsync("outage", FreePort.Next());
        settings["PaymentsStorage:ConnectionString"] = Azurite.Unreachable();
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var services = new ServiceCollection().AddLogging().AddPaymentsCore(configuration).BuildServiceProvider();
        var function = ActivatorUtilities.CreateInstance<CallbackFunctions>(services);

        var http = new DefaultHttpContext { RequestServices = services };
        var signed = TestWebhooks.Standard(new Uri("http://localhost/"), "msg_outage", TestWebhooks.StandardPayment("payment.succeeded", "pay-o", "o", 100));
        foreach (var header in signed.Headers)
        {
            http.Request.Headers[header.Key] = header.Value.ToArray();
        }
        http.Request.Body = new MemoryStream(await signed.Content!.ReadAsByteArrayAsync());
        http.Response.Body = new MemoryStream();

        var result = await function.Callback(http.Request, "standard", fixture.Pipeline.Durable, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));

        Assert.Equal(503, http.Response.StatusCode);
        Assert.Equal("application/problem+json", http.Response.ContentType);
        http.Response.Body.Position = 0;
        Assert.Contains("retry", Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }
}
