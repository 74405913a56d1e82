using System.Globalization;
using System.Text.RegularExpressions;

namespace Payments.Gateway.Alipay;

/// <summary>
/// Alipay amounts are decimal yuan as text (<c>88.88</c>); the pipeline counts fen. Converted exactly
/// with decimal arithmetic, never floating point, and an amount with more than two decimals (which no
/// yuan amount has) is refused rather than rounded.
/// </summary>
public static partial class AlipayAmount
{
    /// <summary>Alipay settles mainland trades in yuan.</summary>
    public const string Currency = "CNY";

    private const int FenPerYuan = 100;

    /// <summary>The amount in fen, or null when the text is no yuan amount of at most two decimals.</summary>
    public static long? ToFen(string? yuan)
    {
        if (yuan is null || !YuanPattern().IsMatch(yuan)
            || !decimal.TryParse(yuan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }
        return (long)(value * FenPerYuan);
    }

    /// <summary>Fen as the yuan text Alipay's APIs take, always two decimals (<c>1250</c> → <c>12.50</c>).</summary>
    public static string ToYuan(long fen) =>
        (fen / (decimal)FenPerYuan).ToString("0.00", CultureInfo.InvariantCulture);

    // Up to 13 integer digits keeps fen inside a long with room to spare; Alipay's own limit is far lower.
    [GeneratedRegex(@"^[0-9]{1,13}(\.[0-9]{1,2})?\z")]
    private static partial Regex YuanPattern();
}
