using System.ComponentModel.DataAnnotations;
using Payments.Secrets;

namespace Payments.Intake;

/// <summary>
/// Limits and secrets for webhook intake, bound from the <c>Intake</c> section. A secret that is set
/// must have its provider's format (checked at start-up); one that is an unresolved Key Vault
/// reference leaves its provider unavailable instead of becoming a key.
/// </summary>
public sealed class IntakeOptions : IValidatableObject
{
    public const string Section = "Intake";

    /// <summary>Largest accepted callback body; larger requests are refused with 413.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How far a signed timestamp may be from now, either way.</summary>
    [Range(1, 3600)]
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>How long inbox rows are kept; at least as long as any gateway keeps retrying (Stripe: 3 days).</summary>
    [Range(3, 3650)]
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        FormatErrors(StandardSecretsSetting(), nameof(StandardSecrets), StandardWebhooksProvider.SecretFormatError)
            .Concat(FormatErrors(StripeSecretsSetting(), nameof(StripeSecrets), StripeProvider.SecretFormatError));

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
