namespace Payments.Gateway;

/// <summary>
/// A movement as it settled to the merchant's balance, in the account's settlement currency: the gross
/// amount, the gateway's fee, the net, and the exchange rate when the payment's currency is another one
/// (payment amount × rate = settlement amount, in major units). Amounts are in the settlement currency's
/// minor units, signed as the gateway books them (a refund's are negative).
/// </summary>
public sealed record StatementSettlement(long AmountMinor, string Currency, long FeeMinor, long NetMinor, decimal? ExchangeRate = null)
{
    /// <summary>For a discrepancy's detail: "settled 2176 USD (fee 63, net 2113, exchange rate 1.088)".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"settled {AmountMinor} {Currency} (fee {FeeMinor}, net {NetMinor}{(ExchangeRate is { } rate ? $", exchange rate {rate}" : "")})");
}
