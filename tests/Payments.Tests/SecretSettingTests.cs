using System.ComponentModel.DataAnnotations;
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
        var setting = new SecretSetting("Intake:StripeSecrets", raw);

        Assert.Equal(SecretState.UnresolvedReference, setting.State);
        Assert.False(setting.IsSet);
        Assert.Throws<InvalidOperationException>(() => setting.Value);
        Assert.StartsWith("Intake:StripeSecrets is an unresolved Key Vault reference", setting.Problem);
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
        var options = new IntakeOptions
        {
            StandardSecrets = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/intake-standard-secrets/)",
            StripeSecrets = "whsec_a_valid_looking_stripe_secret",
        };

        var registry = ProviderRegistry.FromOptions(options);

        Assert.Null(registry.Find(StandardWebhooksProvider.ProviderName));
        Assert.NotNull(registry.Find(StripeProvider.ProviderName));
        Assert.Equal(SecretState.UnresolvedReference, registry.Unavailable[StandardWebhooksProvider.ProviderName].State);
        Assert.Equal(["standard", "stripe"], registry.Names.Order());
    }

    [Theory]
    [InlineData(nameof(IntakeOptions.StandardSecrets), "whsec_bm90IGJhc2U2NCE=!!")]
    [InlineData(nameof(IntakeOptions.StandardSecrets), "whsec_c2hvcnQ=")]
    [InlineData(nameof(IntakeOptions.StandardSecrets), "bG9jYWwtZGV2LW9ubHktc3RhbmRhcmQtc2VjcmV0")]
    [InlineData(nameof(IntakeOptions.StripeSecrets), "sk_live_not_an_endpoint_secret")]
    [InlineData(nameof(IntakeOptions.StripeSecrets), "whsec_short")]
    public void A_secret_in_the_wrong_format_is_an_options_error_naming_the_setting_but_not_the_value(string member, string value)
    {
        const string validStandard = "whsec_bG9jYWwtZGV2LW9ubHktc3RhbmRhcmQtc2VjcmV0";
        const string validStripe = "whsec_a_valid_looking_stripe_secret";
        var options = new IntakeOptions
        {
            // The wrong value comes second, as during a rotation.
            StandardSecrets = member == nameof(IntakeOptions.StandardSecrets) ? $"{validStandard} {value}" : validStandard,
            StripeSecrets = member == nameof(IntakeOptions.StripeSecrets) ? $"{validStripe},{value}" : validStripe,
        };

        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));

        var error = Assert.Single(errors);
        Assert.Equal([member], error.MemberNames);
        Assert.Contains($"Intake:{member}, secret 2 of 2", error.ErrorMessage);
        Assert.DoesNotContain(value, error.ErrorMessage);
    }

    [Fact]
    public void Well_formed_and_unresolved_secrets_pass_start_up_validation()
    {
        var options = new IntakeOptions
        {
            StandardSecrets = "whsec_bG9jYWwtZGV2LW9ubHktc3RhbmRhcmQtc2VjcmV0",
            StripeSecrets = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/intake-stripe-secrets/)",
        };

        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }
}
