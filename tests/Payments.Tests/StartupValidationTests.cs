using Microsoft.Extensions.Options;
using Payments.LocalHost;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Bad configuration stops the host at start-up with a message naming the setting, not at the first webhook.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Intake:StandardSecrets", "", "StandardSecrets")]
    [InlineData("Saga:PaymentWindowSeconds", "0", "PaymentWindowSeconds")]
    [InlineData("Gateway:BaseUrl", "not a url", "BaseUrl")]
    [InlineData("Intake:StandardSecrets", "whsec_bm90LWEtMjQtYnl0ZS1rZXk=", "Intake:StandardSecrets, secret 1 of 1")]
    [InlineData("Connectors:Stripe:WebhookSecrets", "sk_live_this_is_an_api_key_not_a_webhook_secret", "Connectors:Stripe:WebhookSecrets, secret 1 of 1")]
    [InlineData("Connectors:Stripe:ApiKey", "whsec_an_endpoint_secret_not_an_api_key", "Connectors:Stripe:ApiKey")]
    [InlineData("Connectors:Stripe:ApiBase", "not a url", "ApiBase")]
    [InlineData("Intake:MaxBodyBytes", "65537", "MaxBodyBytes")] // more than a Table binary property holds: the inbox could not store it
    [InlineData("Intake:InboxRetentionDays", "29", "retry horizon of the configured gateway 'adyen'")] // Adyen retries for 30 days
    [InlineData("Connectors:Alipay:AppPrivateKey", "bm90IGEga2V5", "Connectors:Alipay:AppPrivateKey")]
    [InlineData("Connectors:Alipay:AlipayPublicKeys", "bm90IGEga2V5", "Connectors:Alipay:AlipayPublicKeys, secret 1 of 1")]
    [InlineData("Connectors:Alipay:GatewayUrl", "not a url", "GatewayUrl")]
    [InlineData("Connectors:Adyen:HmacKeys", "not-hex-at-all-not-hex-at-all-not-hex", "Connectors:Adyen:HmacKeys, secret 1 of 1")]
    [InlineData("Connectors:Adyen:CaptureMode", "Manual", "Connectors:Adyen:CaptureMode")]
    public async Task A_missing_or_invalid_setting_fails_start_up_naming_it(string key, string value, string named)
    {
        var settings = await PipelineHost.SettingsAsync("startup" + Guid.NewGuid().ToString("N")[..6], FreePort.Next());
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        settings[key] = value;

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings)));

        Assert.Contains(named, failure.Message);
        if ((key.EndsWith("Secrets", StringComparison.Ordinal) || key.EndsWith("ApiKey", StringComparison.Ordinal) || key.EndsWith("Key", StringComparison.Ordinal) || key.EndsWith("Keys", StringComparison.Ordinal)) && value.Length > 0)
        {
            Assert.DoesNotContain(value, failure.Message);
        }
    }

    [Theory]
    [InlineData("Connectors:WeChatPay:ApiV3Key", "not-32-characters", "Connectors:WeChatPay:ApiV3Key, secret 1 of 1")]
    [InlineData("Connectors:WeChatPay:MerchantPrivateKey", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----", "Connectors:WeChatPay:MerchantPrivateKey")]
    [InlineData("Connectors:WeChatPay:PlatformPublicKeys", "PUB_KEY_ID_1=bm90IGEga2V5", "Connectors:WeChatPay:PlatformPublicKeys: entry 1 of 1 (PUB_KEY_ID_1)")]
    [InlineData("Connectors:WeChatPay:MerchantSerial", "", "MerchantSerial")]
    [InlineData("Connectors:WeChatPay:ApiBase", "not a url", "ApiBase")]
    public async Task A_wechat_pay_connector_with_a_bad_setting_fails_start_up_naming_it(string key, string value, string named)
    {
        using var merchant = System.Security.Cryptography.RSA.Create(2048);
        using var platform = System.Security.Cryptography.RSA.Create(2048);
        var settings = await PipelineHost.SettingsAsync("startupwx" + Guid.NewGuid().ToString("N")[..6], FreePort.Next());
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        settings["Connectors:WeChatPay:MerchantId"] = "1900000109";
        settings["Connectors:WeChatPay:MerchantSerial"] = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
        settings["Connectors:WeChatPay:MerchantPrivateKey"] = merchant.ExportPkcs8PrivateKeyPem();
        settings["Connectors:WeChatPay:ApiV3Key"] = "0123456789abcdefghijklmnopqrstuv";
        settings["Connectors:WeChatPay:PlatformPublicKeys"] = "PUB_KEY_ID_0=" + Convert.ToBase64String(platform.ExportSubjectPublicKeyInfo());
        settings[key] = value;

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings)));

        Assert.Contains(named, failure.Message);
        if (value.Length > 0)
        {
            Assert.DoesNotContain(value, failure.Message);
        }
    }
}
