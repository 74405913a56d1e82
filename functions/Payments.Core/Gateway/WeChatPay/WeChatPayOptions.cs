using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Payments.Secrets;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// The WeChat Pay API v3 connector's settings, bound from <c>Connectors:WeChatPay</c>. Without a
/// <see cref="MerchantId"/> the connector is not configured (<see cref="IGatewayConnector.ConfiguredBy"/>)
/// and nothing else here is checked; with one, every setting is checked at start-up.
/// </summary>
public sealed class WeChatPayOptions : IValidatableObject
{
    public const string Section = "Connectors:WeChatPay";

    /// <summary>The merchant id (<c>mchid</c>), digits; empty: the connector is not configured.</summary>
    public string MerchantId { get; set; } = "";

    /// <summary>Serial number of the merchant API certificate whose private key signs requests (<c>serial_no</c>).</summary>
    public string MerchantSerial { get; set; } = "";

    /// <summary>The merchant API private key, PKCS#8 PEM (<c>apiclient_key.pem</c>); a Key Vault reference in Azure.</summary>
    public string MerchantPrivateKey { get; set; } = "";

    /// <summary>The 32-character APIv3 key that decrypts notifications; several separated by spaces while it is changed.</summary>
    public string ApiV3Key { get; set; } = "";

    /// <summary>
    /// WeChat Pay's public keys by serial: <c>{serial}={base64}</c> entries separated by spaces, commas or
    /// semicolons, the base64 being the PEM body of a WeChat Pay public key (<c>PUB_KEY_ID_…</c>) or of a
    /// platform certificate. Several at once: during a certificate → public-key migration WeChat signs
    /// with either, and names the one it used in <c>Wechatpay-Serial</c>.
    /// </summary>
    public string PlatformPublicKeys { get; set; } = "";

    [Required, Url]
    public string ApiBase { get; set; } = "https://api.mch.weixin.qq.com";

    /// <summary>
    /// Where WeChat Pay sends a refund's REFUND.SUCCESS / ABNORMAL / CLOSED notice (<c>notify_url</c> on every
    /// refund request): this app's <c>/api/callbacks/wechatpay</c>. Empty: the app's own host name
    /// (<c>WEBSITE_HOSTNAME</c>, set by App Service) when there is one, else no notify_url (the refund
    /// tracker's query still follows every refund).
    /// </summary>
    public string RefundNotifyUrl { get; set; } = "";

    /// <summary>The refund notify_url to send, or null for none.</summary>
    public string? RefundNotifyUrlOrHost() =>
        RefundNotifyUrl is { Length: > 0 } url ? url
        : Environment.GetEnvironmentVariable("WEBSITE_HOSTNAME") is { Length: > 0 } host ? $"https://{host}/api/callbacks/wechatpay"
        : null;

    [Range(1, 120)]
    public int AttemptTimeoutSeconds { get; set; } = 10;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(MerchantId);

    /// <summary>The merchant id as the setting that says the deployment uses WeChat Pay (<see cref="IGatewayConnector.ConfiguredBy"/>).</summary>
    public SecretSetting MerchantIdSetting() => new($"{Section}:{nameof(MerchantId)}", MerchantId);

    public SecretSetting MerchantPrivateKeySetting() => new($"{Section}:{nameof(MerchantPrivateKey)}", MerchantPrivateKey);

    public SecretSetting ApiV3KeySetting() => new($"{Section}:{nameof(ApiV3Key)}", ApiV3Key);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }
        if (!MerchantId.All(char.IsAsciiDigit))
        {
            yield return new ValidationResult($"{Section}:{nameof(MerchantId)}: expected the digits of a WeChat Pay merchant id.", [nameof(MerchantId)]);
        }
        if (RefundNotifyUrl.Length > 0 && !(Uri.TryCreate(RefundNotifyUrl, UriKind.Absolute, out var notify) && notify.Scheme == Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"{Section}:{nameof(RefundNotifyUrl)}: expected an https URL (WeChat Pay calls back over https only).", [nameof(RefundNotifyUrl)]);
        }
        if (string.IsNullOrWhiteSpace(MerchantSerial) || !MerchantSerial.All(char.IsAsciiLetterOrDigit))
        {
            yield return new ValidationResult($"{Section}:{nameof(MerchantSerial)}: expected the merchant API certificate's serial number (letters and digits).", [nameof(MerchantSerial)]);
        }
        foreach (var error in SecretList.FormatErrors(ApiV3KeySetting(), nameof(ApiV3Key), ApiV3KeyFormatError))
        {
            yield return error;
        }
        if (MerchantPrivateKeySetting() is { IsSet: true } key && PrivateKeyFormatError(key.Value) is { } keyError)
        {
            yield return new ValidationResult($"{key.Key}: {keyError}", [nameof(MerchantPrivateKey)]);
        }
        if (PlatformKeyring.FormatError(PlatformPublicKeys) is { } ringError)
        {
            yield return new ValidationResult($"{Section}:{nameof(PlatformPublicKeys)}: {ringError}", [nameof(PlatformPublicKeys)]);
        }
    }

    /// <summary>Why a configured APIv3 key cannot be one (AEAD_AES_256_GCM takes exactly 32 bytes), or null; never echoes it.</summary>
    public static string? ApiV3KeyFormatError(string key) =>
        key.Length == 32 && key.All(char.IsAscii) ? null : "expected the 32-character APIv3 key set in the merchant platform.";

    /// <summary>The merchant key as an RSA key; PEM with its header lines, or the bare base64 of PKCS#8.</summary>
    public static RSA ImportPrivateKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            if (pem.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                rsa.ImportFromPem(pem);
            }
            else
            {
                rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(pem), out _);
            }
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static string? PrivateKeyFormatError(string pem)
    {
        try
        {
            using var rsa = ImportPrivateKey(pem);
            return rsa.KeySize >= 2048 ? null : "expected an RSA key of at least 2048 bits.";
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return "expected the merchant API private key as PKCS#8 PEM (apiclient_key.pem).";
        }
    }
}
