using System.ComponentModel.DataAnnotations;
using Payments.Secrets;

namespace Payments.Gateway.Simulator;

/// <summary>
/// The simulator connector's webhook secrets, bound from the <c>Intake</c> section where they have
/// always lived (<c>Intake:StandardSecrets</c>). Set secrets must have the Standard Webhooks format
/// (checked at start-up); an unresolved Key Vault reference leaves the provider unavailable.
/// </summary>
public sealed class StandardWebhooksOptions : IValidatableObject
{
    public const string Section = "Intake";

    /// <summary>Standard Webhooks secrets (<c>whsec_…</c>), separated by spaces or commas; several during rotation.</summary>
    [Required(AllowEmptyStrings = false)]
    public string StandardSecrets { get; set; } = "";

    public SecretSetting StandardSecretsSetting() => new($"{Section}:{nameof(StandardSecrets)}", StandardSecrets);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        SecretList.FormatErrors(StandardSecretsSetting(), nameof(StandardSecrets), StandardWebhooksProvider.SecretFormatError);
}
