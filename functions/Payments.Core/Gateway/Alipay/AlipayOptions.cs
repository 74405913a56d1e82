using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Payments.Secrets;

namespace Payments.Gateway.Alipay;

/// <summary>
/// The Alipay connector's settings, bound from <c>Connectors:Alipay</c>: the app's id (and the seller's,
/// when notifications must name it), the app's private key that signs requests, Alipay's public key
/// that verifies notifications and responses, and the gateway's address.
/// </summary>
public sealed class AlipayOptions : IValidatableObject
{
    public const string Section = "Connectors:Alipay";

    /// <summary>
    /// The app id the open platform assigned (<c>app_id</c>); a notification for another app is refused.
    /// Unset, the connector is configured but unavailable (callbacks 503, no calls sent), as with an
    /// unresolved key: a deployment that does not use Alipay leaves it empty.
    /// </summary>
    public string AppId { get; set; } = "";

    /// <summary>The seller's partner id (<c>2088…</c>); when set, a notification for another seller is refused.</summary>
    public string SellerId { get; set; } = "";

    /// <summary>The app's RSA private key (base64 PKCS#8 or PKCS#1, or PEM); a Key Vault reference in Azure.</summary>
    public string AppPrivateKey { get; set; } = "";

    /// <summary>
    /// Alipay's RSA public key (base64 SubjectPublicKeyInfo, as the open platform shows it), several
    /// separated by spaces or commas while Alipay rotates its key. Verifies notifications and every response.
    /// </summary>
    public string AlipayPublicKeys { get; set; } = "";

    [Required, Url]
    public string GatewayUrl { get; set; } = "https://openapi.alipay.com/gateway.do";

    [Range(1, 120)]
    public int AttemptTimeoutSeconds { get; set; } = 10;

    public SecretSetting AppIdSetting() => new($"{Section}:{nameof(AppId)}", AppId);

    public SecretSetting AppPrivateKeySetting() => new($"{Section}:{nameof(AppPrivateKey)}", AppPrivateKey);

    public SecretSetting AlipayPublicKeysSetting() => new($"{Section}:{nameof(AlipayPublicKeys)}", AlipayPublicKeys);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var error in SecretList.FormatErrors(AlipayPublicKeysSetting(), nameof(AlipayPublicKeys), PublicKeyFormatError))
        {
            yield return error;
        }
        if (AppPrivateKeySetting() is { IsSet: true } key && PrivateKeyFormatError(key.Value) is { } problem)
        {
            yield return new ValidationResult($"{key.Key}: {problem}", [nameof(AppPrivateKey)]);
        }
    }

    /// <summary>Why a configured key is no RSA public key, or null when it is one; never echoes the value.</summary>
    public static string? PublicKeyFormatError(string key)
    {
        try
        {
            using var rsa = AlipaySignature.PublicKey(key);
            return rsa.KeySize >= 2048 ? null : "expected an RSA2 public key of at least 2048 bits.";
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            return "expected Alipay's RSA public key: the base64 of its SubjectPublicKeyInfo, as the open platform shows it.";
        }
    }

    /// <summary>Why the configured app key is no RSA private key, or null when it is one; never echoes the value.</summary>
    public static string? PrivateKeyFormatError(string key)
    {
        try
        {
            using var rsa = AlipaySignature.PrivateKey(key);
            return rsa.KeySize >= 2048 ? null : "expected an RSA2 private key of at least 2048 bits.";
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            return "expected the app's RSA private key: base64 PKCS#8 or PKCS#1, or PEM.";
        }
    }
}
