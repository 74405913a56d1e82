using System.Text.Json.Nodes;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;
using Payments.Gateway.WeChatPay;

namespace Payments.Infra.Tests;

/// <summary>No secret in the template, its parameters or the app settings: secrets live in Key Vault.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class SecretsTests(DeploymentFixture deployment)
{
    [Fact]
    public void Secret_settings_are_key_vault_references()
    {
        var settings = CompiledTemplate.FindAppSettings(deployment.Template).ByName;

        Assert.Empty(DeploymentChecks.SecretsNotInKeyVault(settings));
        // The check above only means something if it recognises the app's secrets by name.
        Assert.All(
            [$"{StandardWebhooksOptions.Section}__{nameof(StandardWebhooksOptions.StandardSecrets)}", $"{GatewayOptions.Section}__{nameof(GatewayOptions.ApiKey)}",
             "Connectors__Stripe__ApiKey", "Connectors__Stripe__WebhookSecrets", "Connectors__Alipay__AppPrivateKey", "Connectors__Adyen__HmacKeys",
             $"Connectors__WeChatPay__{nameof(WeChatPayOptions.MerchantPrivateKey)}", $"Connectors__WeChatPay__{nameof(WeChatPayOptions.ApiV3Key)}"],
            name => Assert.True(DeploymentChecks.IsSecretName(name) && settings.ContainsKey(name), name));
    }

    [Fact]
    public void No_plain_secret_or_key_appears_in_the_template_or_parameter_files()
    {
        Assert.Empty(DeploymentChecks.PlainSecretsIn(deployment.TemplateText));
        foreach (var (file, parameters) in deployment.CompiledParameters)
        {
            Assert.True(DeploymentChecks.PlainSecretsIn(parameters.ToJsonString()).Count == 0, file);
        }
        Assert.Empty(DeploymentChecks.PlainSecretsIn(File.ReadAllText(Repo.PathOf("infra/main.parameters.json"))));
        // Identity, not keys: nothing reads an access key or connection string out of a resource.
        Assert.DoesNotContain("listKeys(", deployment.TemplateText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listConnectionStrings(", deployment.TemplateText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_plain_private_key_planted_in_the_settings_is_caught()
    {
        var template = deployment.TemplateCopy();
        var name = $"Connectors__WeChatPay__{nameof(WeChatPayOptions.MerchantPrivateKey)}";
        CompiledTemplate.FindAppSettings(template).SetInTemplate(name, "-----BEGIN PRIVATE KEY-----\nplanted\n-----END PRIVATE KEY-----");

        Assert.Equal([name], DeploymentChecks.SecretsNotInKeyVault(CompiledTemplate.FindAppSettings(template).ByName));
        Assert.Equal(["PRIVATE KEY-----"], DeploymentChecks.PlainSecretsIn(template.ToJsonString()));
    }

    [Fact]
    public void Secure_parameters_have_no_default_value()
    {
        Assert.Empty(DeploymentChecks.SecureParametersWithDefaults(deployment.Template));
    }

    [Fact]
    public void A_plain_webhook_secret_planted_in_the_settings_is_caught()
    {
        var template = deployment.TemplateCopy();
        var name = $"Connectors__Stripe__{nameof(StripeOptions.WebhookSecrets)}";
        CompiledTemplate.FindAppSettings(template).SetInTemplate(name, "whsec_planted_for_the_test");

        Assert.Equal([name], DeploymentChecks.SecretsNotInKeyVault(CompiledTemplate.FindAppSettings(template).ByName));
        Assert.Equal(["whsec_"], DeploymentChecks.PlainSecretsIn(template.ToJsonString()));
    }

    [Fact]
    public void A_secure_parameter_with_a_default_is_caught_in_a_nested_template()
    {
        var template = JsonNode.Parse("""
            {
              "parameters": { "ok": { "type": "securestring" }, "plain": { "type": "string", "defaultValue": "x" } },
              "resources": [ {
                "type": "Microsoft.Resources/deployments", "name": "inner",
                "properties": { "template": {
                  "parameters": { "apiKey": { "type": "securestring", "defaultValue": "planted" } },
                  "resources": []
                } }
              } ]
            }
            """)!.AsObject();

        Assert.Equal(["apiKey"], DeploymentChecks.SecureParametersWithDefaults(template));
    }
}
