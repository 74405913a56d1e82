using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Adyen;
using Payments.Gateway.Alipay;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;
using Payments.Gateway.WeChatPay;
using Payments.Intake;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A deployment that uses only the simulator and Stripe: the WeChat Pay, Alipay and Adyen accounts are left empty.</summary>
public sealed class UnconfiguredConnectorsFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("unconfigured", settings =>
    {
        settings["Connectors:WeChatPay:MerchantId"] = "";
        settings["Connectors:Alipay:AppId"] = "";
        settings["Connectors:Adyen:MerchantAccounts"] = "";
    });
}

/// <summary>
/// Issue 26, item 12: every connector registers the same way (<see cref="IGatewayConnector.ConfiguredBy"/>).
/// Its route always exists; not configured, it answers 503 with a problem+json naming the setting, sends
/// nothing outbound (a clear <see cref="GatewayNotConfiguredException"/>), and health lists it as not
/// configured without calling the app degraded. 404 stays for a provider no connector knows.
/// </summary>
public sealed class ConnectorRegistrationTests(UnconfiguredConnectorsFixture fixture) : IClassFixture<UnconfiguredConnectorsFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Theory]
    [InlineData("wechatpay", "Connectors:WeChatPay:MerchantId")]
    [InlineData("alipay", "Connectors:Alipay:AppId")]
    [InlineData("adyen", "Connectors:Adyen:MerchantAccounts")]
    public async Task A_callback_for_a_provider_not_configured_is_answered_503_naming_the_setting_and_not_stored(string provider, string setting)
    {
        using var reply = await Pipeline.Http.PostAsync($"api/callbacks/{provider}", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Equal("Provider not configured.", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains(setting, problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain(await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync()), e => e.Provider == provider);
    }

    [Fact]
    public async Task A_provider_no_connector_knows_is_still_404()
    {
        using var reply = await Pipeline.Http.PostAsync("api/callbacks/paypal", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
    }

    [Fact]
    public async Task The_configured_providers_beside_them_accept_their_callbacks()
    {
        using var standard = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_configured_std",
            TestWebhooks.StandardPayment("payment.succeeded", "pay-configured-std", "configured-std", 700)));
        using var stripe = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Pipeline.Host.BaseAddress,
            TestWebhooks.StripePaymentIntent("evt_configured", "payment_intent.succeeded", "pi_configured", "configured-stripe", 900)));

        Assert.Equal(HttpStatusCode.OK, standard.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stripe.StatusCode);
    }

    [Theory]
    [InlineData("wechatpay", "Connectors:WeChatPay:MerchantId")]
    [InlineData("alipay", "Connectors:Alipay:AppId")]
    [InlineData("adyen", "Connectors:Adyen:MerchantAccounts")]
    public async Task Outbound_calls_for_a_provider_not_configured_fail_naming_the_setting_and_it_is_never_queried(string provider, string setting)
    {
        var gateway = Pipeline.Service<IPaymentGateway>();
        var payment = new PaymentRef("unconfigured-order", provider, "unconfigured-pay");

        var query = await Assert.ThrowsAsync<GatewayNotConfiguredException>(() => gateway.QueryPaymentAsync(payment));
        var refund = await Assert.ThrowsAsync<GatewayNotConfiguredException>(() =>
            gateway.RefundAsync(new RefundRequest(payment.OrderId, provider, payment.PaymentId, 100, "CNY", "test"), "unconfigured-refund"));
        await Assert.ThrowsAsync<GatewayNotConfiguredException>(() => gateway.ClosePaymentAsync(payment));

        Assert.Equal((provider, setting), (query.Provider, query.Setting));
        Assert.Contains(setting, refund.Message);
        Assert.False(gateway.CanQuery(provider));
        Assert.DoesNotContain(provider, gateway.StatementProviders);
    }

    [Fact]
    public async Task Health_lists_which_connectors_are_configured_and_an_unused_one_is_no_fault()
    {
        using var reply = await Pipeline.Http.GetAsync("api/health");
        using var health = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(["standard", "stripe"], health.RootElement.GetProperty("configured").EnumerateArray().Select(c => c.GetString()));
        var components = health.RootElement.GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("component").GetString()!, c => (Status: c.GetProperty("status").GetString(), Setting: c.GetProperty("setting").GetString()));
        Assert.Equal(("NotConfigured", "Connectors:WeChatPay:MerchantId"), components["callbacks:wechatpay"]);
        Assert.Equal(("NotConfigured", "Connectors:WeChatPay:MerchantId"), components["connector:wechatpay"]);
        Assert.Equal(("NotConfigured", "Connectors:Alipay:AppId"), components["callbacks:alipay"]);
        Assert.Equal(("NotConfigured", "Connectors:Adyen:MerchantAccounts"), components["callbacks:adyen"]);
        Assert.Equal("Healthy", components["callbacks:stripe"].Status);
        Assert.Equal("Healthy", components["connector:standard"].Status);
    }
}

/// <summary>
/// The same rule for each of the five connectors without a host: not configured → known, answered
/// "not configured" (the setting named); configured → served by its own webhook dialect. The simulator's
/// and Stripe's settings are also required at start-up (<see cref="StartupValidationTests"/>), so a host
/// never runs with them empty; the rule still holds for them.
/// </summary>
public sealed class ConnectorConfiguredByTests
{
    private const string HexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    public static TheoryData<string, string> Settings => new()
    {
        { "standard", "Intake:StandardSecrets" },
        { "stripe", "Connectors:Stripe:WebhookSecrets" },
        { "wechatpay", "Connectors:WeChatPay:MerchantId" },
        { "alipay", "Connectors:Alipay:AppId" },
        { "adyen", "Connectors:Adyen:MerchantAccounts" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Not_configured_a_connector_is_known_and_answered_not_configured_by_its_setting(string provider, string setting)
    {
        var registry = ProviderRegistry.FromConnectors([Connector(provider, configured: false)], TimeSpan.FromMinutes(5));

        Assert.Null(registry.Find(provider));
        Assert.Equal(setting, registry.NotConfigured[provider].Key);
        Assert.Contains(provider, registry.Names);
        Assert.Empty(registry.Unavailable);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Configured_a_connector_is_served_by_its_own_dialect(string provider, string setting)
    {
        var connector = Connector(provider, configured: true);
        var registry = ProviderRegistry.FromConnectors([connector], TimeSpan.FromMinutes(5));

        Assert.Equal(setting, connector.ConfiguredBy.Key);
        Assert.Equal(provider, registry.Find(provider)?.Name);
        Assert.Empty(registry.NotConfigured);
    }

    private static IGatewayConnector Connector(string provider, bool configured)
    {
        string Maybe(string value) => configured ? value : "";
        var services = new ServiceCollection().BuildServiceProvider();
        return provider switch
        {
            "standard" => new SimulatorConnector(services,
                Options.Create(new StandardWebhooksOptions { StandardSecrets = Maybe(TestWebhooks.StandardSecret(TestWebhooks.StandardKey)) }),
                Options.Create(new GatewayOptions { BaseUrl = "http://127.0.0.1:9" })),
            "stripe" => new StripeConnector(new NoHttp(), Options.Create(new StripeOptions { WebhookSecrets = Maybe(TestWebhooks.StripeSecret) })),
            "wechatpay" => new WeChatPayConnector(services, Options.Create(new WeChatPayOptions
            {
                MerchantId = Maybe("1900000109"),
                ApiV3Key = "0123456789abcdefghijklmnopqrstuv",
                PlatformPublicKeys = "PUB_KEY_ID_0=" + Convert.ToBase64String(RSA.Create(2048).ExportSubjectPublicKeyInfo()),
            })),
            "alipay" => new AlipayConnector(new NoHttp(), Options.Create(new AlipayOptions
            {
                AppId = Maybe("2021000000000000"),
                AlipayPublicKeys = Convert.ToBase64String(RSA.Create(2048).ExportSubjectPublicKeyInfo()),
            }), TimeProvider.System),
            "adyen" => new AdyenConnector(Options.Create(new AdyenOptions { HmacKeys = HexKey, MerchantAccounts = Maybe("Acme") })),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("No call may be sent.");
    }
}
