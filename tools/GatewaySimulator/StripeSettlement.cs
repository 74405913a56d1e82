namespace GatewaySimulator;

/// <summary>
/// How a Stripe account books a movement on its balance: in the account's settlement currency. A
/// charge in another currency is converted at the dialect's fixed rates (balance transaction
/// <c>amount</c> in the settlement currency, <c>exchange_rate</c> set, charge currency × rate =
/// settlement currency in major units), as Stripe does for a EUR or JPY charge on a USD account; a
/// charge already in the settlement currency, or an account with none configured, books as charged.
/// </summary>
internal sealed class StripeSettlement(string? settlementCurrency)
{
    /// <summary>US dollars per major unit: fixed, so a seed replays the same balance transactions.</summary>
    private static readonly Dictionary<string, decimal> DollarsPerUnit = new(StringComparer.Ordinal)
    {
        ["USD"] = 1m,
        ["EUR"] = 1.088m,
        ["GBP"] = 1.27m,
        ["CNY"] = 0.14m,
        ["JPY"] = 0.0066m,
    };

    /// <summary>The currencies an account may settle in (and charges may be converted from).</summary>
    public static IReadOnlyCollection<string> Known => DollarsPerUnit.Keys;

    /// <summary>The balance transaction's currency, amount (signed as booked) and exchange rate for a movement of <paramref name="amountMinor"/> in <paramref name="currency"/>.</summary>
    public (string Currency, long AmountMinor, decimal? ExchangeRate) Book(long amountMinor, string currency)
    {
        if (settlementCurrency is null || settlementCurrency == currency
            || !DollarsPerUnit.TryGetValue(currency, out var from) || !DollarsPerUnit.TryGetValue(settlementCurrency, out var to))
        {
            return (currency, amountMinor, null);
        }
        var rate = decimal.Round(from / to, 6);
        var major = amountMinor / MinorUnitsPerMajor(currency) * rate;
        return (settlementCurrency, (long)decimal.Round(major * MinorUnitsPerMajor(settlementCurrency), MidpointRounding.AwayFromZero), rate);
    }

    // Stripe's zero-decimal currencies among the ones above: an amount in yen is whole yen.
    private static decimal MinorUnitsPerMajor(string currency) => currency == "JPY" ? 1m : 100m;
}
