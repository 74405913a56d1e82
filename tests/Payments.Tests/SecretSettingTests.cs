using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Gateway;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;
using Payments.Intake;
using Payments.Secrets;

namespace Payments.Tests;

/// <summary>How a secret setting is read: set, not set, or a reference the platform could not resolve.</summary>
public sealed class SecretSettingTests
{
    [Theory]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/s/)")]
    [InlineData("  @microsoft.keyvault(VaultName=kv;SecretName=s)  ")]
    [InlineData("@Microsoft.AppConfiguration(Endpoint=https://cfg.azconfig.io; Key=k)")]
    [InlineData("whsec_abc,@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/s/)")]
    public void A_reference_left_in_the_value_is_unresolved_and_has_no_value(string raw)
    {
        var setting = new SecretSetting("Connectors:Stripe:WebhookSecrets", raw);

        Assert.Equal(SecretState.UnresolvedReference, setting.State);
        Assert.False(setting.IsSet);
        Assert.Throws<InvalidOperationException>(() => setting.Value);
        Assert.StartsWith("Connectors:Stripe:WebhookSecrets is an unresolved Key Vault reference", setting.Problem);
    }

    [Theory]
    [InlineData(null, SecretState.NotSet)]
    [InlineData("  ", SecretState.NotSet)]
    [InlineData(" whsec_value ", SecretState.Set)]
    public void Other_values_are_set_or_not_set(string? raw, SecretState expected)
    {
        var setting = new SecretSetting("Gateway:ApiKey", raw);

        Assert.Equal(expected, setting.State);
        if (expected == SecretState.Set)
        {
            Assert.Equal("whsec_value", setting.Value);
            Assert.Null(setting.Problem);
        }
    }

    [Fact]
    public void An_unresolved_secret_leaves_its_provider_unavailable_instead_of_failing_the_registry()
    {
        var standard = new StandardWebhooksOptions { StandardSecrets = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/intake-standard-secrets/)" };
        var stripe = new StripeOptions { WebhookSecrets = "whsec_a_valid_looking_stripe_secret" };
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        IGatewayConnector[] connectors =
        [
            new SimulatorConnector(services, Options.Create(standard), Options.Create(new GatewayOptions())),
            new StripeConnector(services.GetRequiredService<IHttpClientFactory>(), Options.Create(stripe)),
        ];

        var registry = ProviderRegistry.FromConnectors(connectors, TimeSpan.FromMinutes(5));

        Assert.Null(registry.Find(StandardWebhooksProvider.ProviderName));
        Assert.NotNull(registry.Find(StripeProvider.ProviderName));
        Assert.Equal(SecretState.UnresolvedReference, registry.Unavailable[StandardWebhooksProvider.ProviderName].State);
        Assert.Equal(["standard", "stripe"], registry.Names.Order());
    }

    [Theory]
    [InlineData("whsec_bm90IGJhc2U2NCE=!!")]
    [InlineData("whsec_c2hvcnQ=")]
    [InlineData("bG9jYWwtZGV2LW9ubHktc3RhbmRhcmQtc2VjcmV0")]
    public void A_standard_secret_in_the_wrong_format_is_an_options_error_naming_the_setting_but_not_the_value(string value)
    {
        // The wrong value comes second, as during a rotation.
        var options = new StandardWebhooksOptions { StandardSecrets = $"whsec_bG9jYWwtZGV2LW9ubHktc3RhbmRhcmQtc2VjcmV0 {value}" };

        AssertSingleFormatError(options, nameof(StandardWebhooksOptions.StandardSecrets), "Intake:StandardSecrets, secret 2 of 2", value);
    }

    [Theory]
    [InlineData("sk_live_not_an_endpoint_secret")]
    [InlineData("whsec_short")]
    public void A_stripe_webhook_secret_in_the_wrong_format_is_an_options_error_naming_the_setting_but_not_the_value(string value)
    {
        var options = new StripeOptions { WebhookSecrets = $"whsec_a_valid_looking_stripe_secret,{value}" };

        AssertSingleFormatError(options, nameof(StripeOptions.WebhookSecrets), "Connectors:Stripe:WebhookSecrets, secret 2 of 2", value);
    }

    [Theory]
    [InlineData("pk_test_a_publishable_key")]
    [InlineData("whsec_a_valid_looking_stripe_secret")]
    public void A_stripe_api_key_in_the_wrong_format_is_an_options_error_naming_the_setting_but_not_the_value(string value)
    {
        var options = new StripeOptions { WebhookSecrets = "whsec_a_valid_looking_stripe_secret", ApiKey = value };

        AssertSingleFormatError(options, nameof(StripeOptions.ApiKey), "Connectors:Stripe:ApiKey", value);
    }

    [Fact]
    public void Well_formed_and_unresolved_secrets_pass_start_up_validation()
    {
        var standard = new StandardWebhooksOptions { StandardSecrets = "whsec_bG9jYWwtZGV2LW9ubHktc3RhbmRhcmQtc2VjcmV0" };
        var stripe = new StripeOptions
        {
            WebhookSecrets = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/connectors-stripe-webhook-secrets/)",
            ApiKey = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/connectors-stripe-api-key/)",
        };

        Assert.True(Validator.TryValidateObject(standard, new ValidationContext(standard), [], validateAllProperties: true));
        Assert.True(Validator.TryValidateObject(stripe, new ValidationContext(stripe), [], validateAllProperties: true));
    }

    private static void AssertSingleFormatError(object options, string member, string named, string value)
    {
        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));

        var error = Assert.Single(errors);
        Assert.Equal([member], error.MemberNames);
        Assert.Contains(named, error.ErrorMessage);
        Assert.DoesNotContain(value, error.ErrorMessage);
    }
}
