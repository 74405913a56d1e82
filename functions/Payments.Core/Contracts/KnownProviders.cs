namespace Payments.Contracts;

/// <summary>
/// The payment providers this deployment is configured for, by name. Orders must name one of them;
/// whether a provider can serve right now (its secrets resolved) is intake's business, not the order's.
/// A provider listed in <paramref name="Currencies"/> settles only those currencies (WeChat Pay and
/// Alipay domestic: CNY); one not listed settles any.
/// </summary>
public sealed record KnownProviders(IReadOnlyCollection<string> Names, IReadOnlyDictionary<string, IReadOnlyCollection<string>>? Currencies = null)
{
    /// <summary>Whether an order in <paramref name="currency"/> can be paid through <paramref name="provider"/>.</summary>
    public bool Settles(string provider, string currency) =>
        Currencies is null || !Currencies.TryGetValue(provider, out var only) || only.Contains(currency);
}
