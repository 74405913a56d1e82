namespace GatewaySimulator;

/// <summary>Shape checks shared by the HTTP endpoints and the in-process API.</summary>
internal static class RequestValidation
{
    public const int MaxIdLength = 200;

    /// <summary>Accepts three ASCII letters in any case and returns them upper-cased, as ISO 4217 codes are.</summary>
    public static bool TryNormalizeCurrency(string? currency, out string normalized)
    {
        normalized = string.Empty;
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetter))
        {
            return false;
        }

        normalized = currency.ToUpperInvariant();
        return true;
    }

    /// <summary>Ids travel in URL paths, so slashes, whitespace and control characters are refused.</summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id)
        && id.Length <= MaxIdLength
        && !id.Any(c => c is '/' or '\\' or '?' or '#' || char.IsWhiteSpace(c) || char.IsControl(c));
}
