using System.ComponentModel.DataAnnotations;
using Payments.Secrets;

namespace Payments.Gateway.Adyen;

/// <summary>
/// The Adyen connector's settings, bound from <c>Connectors:Adyen</c>: the HMAC keys of the
/// standard webhook (hex, as the Customer Area shows them; several during a rotation) and the
/// merchant accounts whose notifications this deployment takes, and how the merchant account captures.
/// </summary>
public sealed class AdyenOptions : IValidatableObject
{
    public const string Section = "Connectors:Adyen";

    /// <summary>
    /// HMAC keys in hex, separated by spaces or commas; a Key Vault reference in Azure. Unset, Adyen's
    /// callbacks are answered 503, as with an unresolved reference.
    /// </summary>
    public string HmacKeys { get; set; } = "";

    /// <summary>
    /// Merchant account codes, separated by spaces or commas; an item for any other account is refused.
    /// Unset, Adyen's callbacks are answered 503 (and its 30-day retry horizon does not bind the inbox's
    /// retention): a deployment that does not use Adyen leaves it empty.
    /// </summary>
    public string MerchantAccounts { get; set; } = "";

    /// <summary>
    /// <see cref="AdyenCaptureMode.Immediate"/> (the default: AUTHORISATION success settles the payment) or
    /// <see cref="AdyenCaptureMode.Delayed"/> (CAPTURE success settles it), as the merchant account captures.
    /// </summary>
    public string CaptureMode { get; set; } = nameof(AdyenCaptureMode.Immediate);

    /// <summary>The capture mode, once validated (a method: validation reads every property, this one included, before it can refuse).</summary>
    public AdyenCaptureMode Capture() => Enum.Parse<AdyenCaptureMode>(CaptureMode, ignoreCase: true);

    public SecretSetting HmacKeysSetting() => new($"{Section}:{nameof(HmacKeys)}", HmacKeys);

    public SecretSetting MerchantAccountsSetting() => new($"{Section}:{nameof(MerchantAccounts)}", MerchantAccounts);

    public IReadOnlyList<string> MerchantAccountList() => SecretList.Split(MerchantAccounts);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        SecretList.FormatErrors(HmacKeysSetting(), nameof(HmacKeys), KeyFormatError)
            .Concat(Enum.GetNames<AdyenCaptureMode>().Contains(CaptureMode, StringComparer.OrdinalIgnoreCase)
                ? []
                : [new ValidationResult($"{Section}:{nameof(CaptureMode)}: expected {string.Join(" or ", Enum.GetNames<AdyenCaptureMode>())}, as the merchant account captures.", [nameof(CaptureMode)])]);

    /// <summary>Why a configured key is no Adyen HMAC key, or null when it is; never echoes the value.</summary>
    public static string? KeyFormatError(string key) =>
        key.Length is >= 32 and <= 256 && key.Length % 2 == 0 && key.All(char.IsAsciiHexDigit)
            ? null
            : "expected an Adyen HMAC key: an even number (32 to 256) of hex digits.";
}
