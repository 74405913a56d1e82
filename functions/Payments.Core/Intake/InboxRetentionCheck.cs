using Microsoft.Extensions.Options;
using Payments.Gateway;
using Payments.Secrets;

namespace Payments.Intake;

/// <summary>
/// Start-up check that settled inbox rows outlive every configured gateway's retry horizon: a
/// retry arriving after its row was purged would be taken for a new callback and applied again.
/// </summary>
public sealed class InboxRetentionCheck(IEnumerable<IGatewayConnector> connectors) : IValidateOptions<IntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, IntakeOptions options)
    {
        var longest = connectors
            .Where(HasWebhookSecrets)
            .OrderByDescending(c => c.RetryHorizon)
            .FirstOrDefault();
        if (longest is null || TimeSpan.FromDays(options.InboxRetentionDays) >= longest.RetryHorizon)
        {
            return ValidateOptionsResult.Success;
        }
        var minimum = (int)Math.Ceiling(longest.RetryHorizon.TotalDays);
        return ValidateOptionsResult.Fail(
            $"{IntakeOptions.Section}:{nameof(IntakeOptions.InboxRetentionDays)} is {options.InboxRetentionDays} days, shorter than the retry horizon of the configured gateway '{longest.Name}' ({longest.RetryHorizon}): "
            + $"a retry after the purge would be taken for a new callback. Set at least {minimum} days.");
    }

    // A connector whose own settings are invalid reports that itself at start-up; counting it here
    // would only add a second, confusing failure.
    private static bool HasWebhookSecrets(IGatewayConnector connector)
    {
        try
        {
            return connector.WebhookSecrets.State != SecretState.NotSet;
        }
        catch (OptionsValidationException)
        {
            return false;
        }
    }
}
