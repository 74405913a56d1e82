using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class UnresolvedSecretFixture : PipelineFixture
{
    /// <summary>What App Service hands the app when it cannot resolve a reference: the reference itself.</summary>
    public const string StripeReference = "@Microsoft.KeyVault(SecretUri=https://kv-pay-demo.vault.azure.net/secrets/connectors-stripe-webhook-secrets/)";
    public const string StripeApiKeyReference = "@Microsoft.KeyVault(VaultName=kv-pay-demo;SecretName=connectors-stripe-api-key)";
    public const string ApiKeyReference = "@Microsoft.KeyVault(VaultName=kv-pay-demo;SecretName=gateway-api-key)";

    // The simulator accepts the literal reference as its API key, so only the app's refusal keeps it from being used.
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "kvref",
        settings =>
        {
            settings["Connectors:Stripe:WebhookSecrets"] = StripeReference;
            settings["Connectors:Stripe:ApiKey"] = StripeApiKeyReference;
            settings["Gateway:ApiKey"] = ApiKeyReference;
        },
        gateway => gateway with { ApiKey = ApiKeyReference });
}

/// <summary>
/// Issue 16, item 1: an unresolved Key Vault reference reaches the app as its literal text. It must
/// never become a signing key or a credential: its provider answers 503 (the gateway retries until
/// the secret resolves), the other providers keep serving, and the health endpoint says why.
/// </summary>
public sealed class UnresolvedSecretTests(UnresolvedSecretFixture fixture) : IClassFixture<UnresolvedSecretFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_callback_signed_with_the_literal_reference_is_refused_with_503_and_not_stored()
    {
        var body = TestWebhooks.StripePaymentIntent("evt_forged", "payment_intent.succeeded", "pi_forged", "forged-order", 9900);

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Pipeline.Host.BaseAddress, body, secret: UnresolvedSecretFixture.StripeReference));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("KeyVault", await reply.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var inbox = await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync());
        Assert.DoesNotContain(inbox, e => e.EventId == "evt_forged");
    }

    [Fact]
    public async Task A_provider_whose_secret_resolved_keeps_serving()
    {
        var body = TestWebhooks.StandardPayment("payment.succeeded", "pay-kv-other", "kv-other", 500);

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_kv_other", body));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var inbox = await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync());
        Assert.Single(inbox, e => e.EventId == "msg_kv_other");
    }

    [Fact]
    public async Task Orders_for_an_unavailable_provider_are_still_registered()
    {
        var order = new OrderRequest("kv-order", "cust-kv", [new OrderLine("sku-kv", 1)], 1200, "EUR", "stripe", "pi_kv_order");

        using var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order);

        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
    }

    [Fact]
    public async Task Health_answers_503_naming_each_unresolved_setting_and_never_its_value()
    {
        using var reply = await Pipeline.Http.GetAsync("api/health");
        var text = await reply.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.StatusCode);
        using var health = JsonDocument.Parse(text);
        Assert.Equal("Degraded", health.RootElement.GetProperty("status").GetString());
        var components = health.RootElement.GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("component").GetString()!, c => (Status: c.GetProperty("status").GetString(), Problem: c.GetProperty("problem").GetString()));
        Assert.Equal("Healthy", components["callbacks:standard"].Status);
        Assert.Equal("Unavailable", components["callbacks:stripe"].Status);
        Assert.StartsWith("Connectors:Stripe:WebhookSecrets is an unresolved Key Vault reference", components["callbacks:stripe"].Problem);
        Assert.Equal("Unavailable", components["connector:standard"].Status);
        Assert.StartsWith("Gateway:ApiKey is an unresolved Key Vault reference", components["connector:standard"].Problem);
        Assert.Equal("Unavailable", components["connector:stripe"].Status);
        Assert.StartsWith("Connectors:Stripe:ApiKey is an unresolved Key Vault reference", components["connector:stripe"].Problem);
        Assert.DoesNotContain("vault.azure.net", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("kv-pay-demo", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_gateway_refuses_to_call_out_with_an_unresolved_api_key()
    {
        var gateway = Pipeline.Service<IPaymentGateway>();

        var refused = await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() =>
            gateway.QueryPaymentAsync(new PaymentRef("kv-q", "standard", "pay-kv-q")));

        Assert.Contains("Gateway:ApiKey", refused.Message);
        await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() =>
            gateway.RefundAsync(new RefundRequest("kv-q", "standard", "pay-kv-q", 100, "EUR", "test"), "kv-q-refund"));
    }

    [Fact]
    public async Task The_stripe_connector_refuses_to_call_out_with_an_unresolved_api_key()
    {
        var gateway = Pipeline.Service<IPaymentGateway>();

        var refused = await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() =>
            gateway.ClosePaymentAsync(new PaymentRef("kv-s", "stripe", "pi_kv_s")));

        Assert.Contains("Connectors:Stripe:ApiKey", refused.Message);
        Assert.DoesNotContain("kv-pay-demo", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() =>
            gateway.RefundAsync(new RefundRequest("kv-s", "stripe", "pi_kv_s", 100, "EUR", "test"), "kv-s-refund"));
    }
}
