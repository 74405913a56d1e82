using System.ComponentModel.DataAnnotations;

namespace Payments.Secrets;

/// <summary>
/// A setting that holds several secrets (webhook secrets during a rotation), separated by spaces,
/// commas or semicolons, and the start-up check that each has its provider's format.
/// </summary>
public static class SecretList
{
    public static IReadOnlyList<string> Split(string secrets) =>
        secrets.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>One error per secret of the wrong format, naming the setting and the position, never the value.</summary>
    public static IEnumerable<ValidationResult> FormatErrors(SecretSetting setting, string member, Func<string, string?> formatError)
    {
        if (!setting.IsSet)
        {
            yield break;
        }
        var secrets = Split(setting.Value);
        for (var i = 0; i < secrets.Count; i++)
        {
            if (formatError(secrets[i]) is { } error)
            {
                yield return new ValidationResult($"{setting.Key}, secret {i + 1} of {secrets.Count}: {error}", [member]);
            }
        }
    }
}
