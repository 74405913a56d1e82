using System.ComponentModel.DataAnnotations;
using Payments.Secrets;
using Payments.Storage;

namespace Payments.Intake;

/// <summary>
/// Limits and secrets for webhook intake, bound from the <c>Intake</c> section. A secret that is set
/// must have its provider's format (checked at start-up); one that is an unresolved Key Vault
/// reference leaves its provider unavailable instead of becoming a key.
/// </summary>
public sealed class IntakeOptions : IValidatableObject
{
    public const string Section = "Intake";

    /// <summary>
    /// Largest accepted callback body; larger requests are refused with 413. At most what the inbox
    /// can store: the raw body is a Table binary property, which holds 64 KiB.
    /// </summary>
    [Range(1024, InboxStore.MaxBodyBytes)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How far a signed timestamp may be from now, either way.</summary>
    [Range(1, 3600)]
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>
    /// How long a settled inbox row is kept after it was received, so a gateway's late retry is still
    /// recognised as a duplicate: at least the longest retry horizon of any configured gateway
    /// (checked at start-up). Rows a retry or a parked dead letter still needs are kept regardless.
    /// </summary>
    [Range(1, 3650)]
    public int InboxRetentionDays { get; set; } = 7;

    /// <summary>Standard Webhooks secrets (<c>whsec_…</c>), separated by spaces or commas; several during rotation.</summary>
    [Required(AllowEmptyStrings = false)]
    public string StandardSecrets { get; set; } = "";

    /// <summary>Stripe endpoint secrets, separated by spaces or commas; several during rotation.</summary>
    [Required(AllowEmptyStrings = false)]
    public string StripeSecrets { get; set; } = "";

    public TimeSpan Tolerance => TimeSpan.FromSeconds(ToleranceSeconds);

    public SecretSetting StandardSecretsSetting() => new($"{Section}:{nameof(StandardSecrets)}", StandardSecrets);

    public SecretSetting StripeSecretsSetting() => new($"{Section}:{nameof(StripeSecrets)}", StripeSecrets);

    /// <summary>How long each configured gateway keeps retrying a callback it did not see acknowledged (GATEWAYS.md).</summary>
    public IEnumerable<(string Provider, TimeSpan Horizon)> RetryHorizons()
    {
        if (!string.IsNullOrWhiteSpace(StandardSecrets))
        {
            yield return (StandardWebhooksProvider.ProviderName, StandardWebhooksProvider.RetryHorizon);
        }
        if (!string.IsNullOrWhiteSpace(StripeSecrets))
        {
            yield return (StripeProvider.ProviderName, StripeProvider.RetryHorizon);
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        FormatErrors(StandardSecretsSetting(), nameof(StandardSecrets), StandardWebhooksProvider.SecretFormatError)
            .Concat(FormatErrors(StripeSecretsSetting(), nameof(StripeSecrets), StripeProvider.SecretFormatError))
            .Concat(RetentionErrors());

    private IEnumerable<ValidationResult> RetentionErrors()
    {
        var longest = RetryHorizons().OrderByDescending(h => h.Horizon).FirstOrDefault();
        if (longest.Provider is not null && TimeSpan.FromDays(InboxRetentionDays) < longest.Horizon)
        {
            var minimum = (int)Math.Ceiling(longest.Horizon.TotalDays);
            yield return new ValidationResult(
                $"{Section}:{nameof(InboxRetentionDays)} is {InboxRetentionDays} days, shorter than the retry horizon of the configured gateway '{longest.Provider}' ({longest.Horizon}): "
                + $"a retry after the purge would be taken for a new callback. Set at least {minimum} days.", [nameof(InboxRetentionDays)]);
        }
    }

    public static IReadOnlyList<string> SplitSecrets(string secrets) =>
        secrets.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IEnumerable<ValidationResult> FormatErrors(SecretSetting setting, string member, Func<string, string?> formatError)
    {
        if (!setting.IsSet)
        {
            yield break;
        }
        var secrets = SplitSecrets(setting.Value);
        for (var i = 0; i < secrets.Count; i++)
        {
            if (formatError(secrets[i]) is { } error)
            {
                // Names the setting and the position, never the value.
                yield return new ValidationResult($"{setting.Key}, secret {i + 1} of {secrets.Count}: {error}", [member]);
            }
        }
    }
}
