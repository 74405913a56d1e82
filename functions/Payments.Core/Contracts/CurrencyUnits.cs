namespace Payments.Contracts;

/// <summary>
/// How many minor units make one major unit of a currency (its ISO 4217 exponent). Amounts travel in
/// minor units everywhere; anything priced per major unit (loyalty points) must not assume cents:
/// a yen has no minor unit, a Bahraini dinar has a thousand.
/// </summary>
public static class CurrencyUnits
{
    private static readonly HashSet<string> ZeroDecimal = new(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> ThreeDecimal = new(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], StringComparer.OrdinalIgnoreCase);

    public static long MinorPerMajor(string currency) =>
        ZeroDecimal.Contains(currency) ? 1 : ThreeDecimal.Contains(currency) ? 1000 : 100;
}
