using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Payments.Gateway;
using Payments.Intake;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A gateway that wants a literal reply (as Alipay wants <c>success</c>) plugs in as a provider;
/// intake itself does not change.
/// </summary>
public sealed class LiteralAckFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("literal", services: services =>
        services.AddSingleton(sp => new ProviderRegistry(
            [.. ProviderRegistry.FromConnectors(sp.GetRequiredService<GatewayConnectors>().All, TimeSpan.FromMinutes(5)).All, new LiteralAckProvider()])));
}

public sealed class ProviderAcknowledgementTests(LiteralAckFixture fixture) : IClassFixture<LiteralAckFixture>
{
    [Fact]
    public async Task A_provider_with_a_literal_acknowledgement_gets_it_for_new_and_duplicate_callbacks()
    {
        var body = "{\"id\":\"lit-1\"}";
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Pipeline.Host.BaseAddress, "api/callbacks/literal")) { Content = new StringContent(body) };
            request.Headers.Add("X-Literal-Signature", LiteralAckProvider.Sign(Encoding.UTF8.GetBytes(body)));
            return request;
        }

        using var first = await fixture.Pipeline.Http.SendAsync(Request());
        using var duplicate = await fixture.Pipeline.Http.SendAsync(Request());

        foreach (var reply in new[] { first, duplicate })
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            Assert.Equal("text/plain", reply.Content.Headers.ContentType?.MediaType);
            Assert.Equal("success", await reply.Content.ReadAsStringAsync());
        }
        Assert.Equal(InboxState.Ignored, (await fixture.Pipeline.Service<InboxStore>().GetAsync("literal", "lit-1"))!.State);
    }
}

/// <summary>A minimal provider for the test: HMAC in a header, event id in the body, every event acknowledged and kept.</summary>
internal sealed class LiteralAckProvider : IWebhookProvider
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("literal-test-key");

    public string Name => "literal";

    public IReadOnlyList<string> SignatureHeaders { get; } = ["X-Literal-Signature"];

    public WebhookAcknowledgement Acknowledgement { get; } = new(200, "text/plain", "success");

    public static string Sign(byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Key, body));

    public bool Verify(WebhookRequest request, DateTimeOffset now) =>
        request.Header("X-Literal-Signature") is { } signature
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(Sign(request.Body)));

    public ParseOutcome Parse(WebhookRequest request) =>
        new ParseOutcome.Ignored(System.Text.Json.JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString()!, "literal.event");
}
