using System.ComponentModel.DataAnnotations;
using Payments.Secrets;

namespace Payments.Gateway.Stripe;

/// <summary>
/// The Stripe connector's settings, bound from <c>Connectors:Stripe</c>: the secret API key for
/// outbound calls, the webhook endpoint secrets, and the API base (Stripe's own unless a test or the
/// demo points it at the gateway simulator's Stripe dialect).
/// </summary>
public sealed class StripeOptions : IValidatableObject
{
    public const string Section = "Connectors:Stripe";

    /// <summary>Secret (<c>sk_…</c>) or restricted (<c>rk_…</c>) key; a Key Vault reference in Azure.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Webhook endpoint secrets (<c>whsec_…</c>), separated by spaces or commas; several during rotation.</summary>
    [Required(AllowEmptyStrings = false)]
    public string WebhookSecrets { get; set; } = "";

    [Required, Url]
    public string ApiBase { get; set; } = "https://api.stripe.com";

    [Range(1, 120)]
    public int AttemptTimeoutSeconds { get; set; } = 10;

    public SecretSetting ApiKeySetting() => new($"{Section}:{nameof(ApiKey)}", ApiKey);

    public SecretSetting WebhookSecretsSetting() => new($"{Section}:{nameof(WebhookSecrets)}", WebhookSecrets);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        SecretList.FormatErrors(WebhookSecretsSetting(), nameof(WebhookSecrets), StripeProvider.SecretFormatError)
            .Concat(ApiKeySetting() is { IsSet: true } key && ApiKeyFormatError(key.Value) is { } error
                ? [new ValidationResult($"{key.Key}: {error}", [nameof(ApiKey)])]
                : []);

    /// <summary>Why a configured key is no Stripe API key, or null when it looks like one; never echoes the value.</summary>
    public static string? ApiKeyFormatError(string key) =>
        (key.StartsWith("sk_", StringComparison.Ordinal) || key.StartsWith("rk_", StringComparison.Ordinal)) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? null
            : "expected a Stripe secret or restricted key: 'sk_' or 'rk_' followed by letters, digits or '_' (a 'whsec_' endpoint secret or a 'pk_' publishable key is not an API key).";
}
