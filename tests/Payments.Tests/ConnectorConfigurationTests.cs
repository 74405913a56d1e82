using Microsoft.Extensions.Options;
using Payments.Gateway;
using Payments.Gateway.Adyen;
using Payments.Gateway.Alipay;
using Payments.Intake;
using Payments.Secrets;

namespace Payments.Tests;

/// <summary>
/// A deployment that does not use Alipay or Adyen leaves their ids empty: the connector is then
/// known but not configured (callbacks 503, nothing sent, the health endpoint names the setting;
/// <see cref="ConnectorRegistrationTests"/>), and an unused Adyen does not make the inbox keep rows for
/// its 30-day horizon.
/// </summary>
public sealed class ConnectorConfigurationTests
{
    private const string HexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    [Fact]
    public void Without_an_app_id_the_alipay_connector_is_not_configured_both_ways_and_says_why()
    {
        var connector = new AlipayConnector(new NoHttp(), Options.Create(new AlipayOptions { AppId = "", AppPrivateKey = "x", AlipayPublicKeys = "y" }), TimeProvider.System);

        Assert.Equal(("Connectors:Alipay:AppId", SecretState.NotSet), (connector.WebhookSecrets.Key, connector.WebhookSecrets.State));
        Assert.Equal("Connectors:Alipay:AppId", connector.UnusableCredential?.Key);
        Assert.Equal("Connectors:Alipay:AppId", ProviderRegistry.FromConnectors([connector], TimeSpan.FromMinutes(5)).NotConfigured["alipay"].Key);
    }

    [Fact]
    public void Without_a_merchant_account_adyen_is_not_configured_and_does_not_bind_retention()
    {
        var unused = new AdyenConnector(Options.Create(new AdyenOptions { HmacKeys = HexKey, MerchantAccounts = "" }));
        var used = new AdyenConnector(Options.Create(new AdyenOptions { HmacKeys = HexKey, MerchantAccounts = "Acme" }));
        var week = new IntakeOptions { InboxRetentionDays = 7 };

        Assert.Equal("Connectors:Adyen:MerchantAccounts", unused.WebhookSecrets.Key);
        Assert.Equal("Connectors:Adyen:HmacKeys", new AdyenConnector(Options.Create(new AdyenOptions { HmacKeys = "", MerchantAccounts = "Acme" })).WebhookSecrets.Key);
        Assert.Equal("Connectors:Adyen:MerchantAccounts", ProviderRegistry.FromConnectors([unused], TimeSpan.FromMinutes(5)).NotConfigured["adyen"].Key);
        Assert.True(new InboxRetentionCheck([unused]).Validate(null, week).Succeeded);
        Assert.Contains("'adyen'", new InboxRetentionCheck([used]).Validate(null, week).FailureMessage);
        Assert.True(new InboxRetentionCheck([used]).Validate(null, new IntakeOptions { InboxRetentionDays = 30 }).Succeeded);
        Assert.Null(used.UnusableCredential);
    }

    [Fact]
    public async Task The_adyen_connector_says_it_is_intake_only_and_lists_nothing_on_the_statement()
    {
        var adyen = new AdyenConnector(Options.Create(new AdyenOptions { HmacKeys = HexKey, MerchantAccounts = "Acme" })).Outbound;

        var refused = await Assert.ThrowsAsync<NotSupportedException>(() => adyen.QueryPaymentAsync(new Contracts.PaymentRef("o", "adyen", "psp1")));
        Assert.Contains("intake-only", refused.Message);
        await Assert.ThrowsAsync<NotSupportedException>(() => adyen.RefundAsync(new Contracts.RefundRequest("o", "adyen", "psp1", 1, "EUR", "r"), "k"));
        Assert.Empty(await Infrastructure.Collect.AllAsync(adyen.GetStatementAsync(DateOnly.FromDateTime(DateTime.UtcNow))));
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("No call may be sent.");
    }
}
