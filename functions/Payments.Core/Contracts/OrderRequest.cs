using System.Text.RegularExpressions;

namespace Payments.Contracts;

/// <summary>An order awaiting payment, as the order service registers it. Amounts in minor units.</summary>
public sealed partial record OrderRequest(
    string OrderId,
    string CustomerId,
    IReadOnlyList<OrderLine> Lines,
    long AmountMinor,
    string Currency,
    string Provider,
    string PaymentId)
{
    public const int MaxLines = 50;

    /// <summary>Every problem with the request, one per field; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate(IReadOnlyCollection<string> knownProviders)
    {
        var errors = new List<string>();
        Require(Id().IsMatch(OrderId ?? ""), "orderId: 1-64 letters, digits, '_' or '-'.");
        Require(Id().IsMatch(CustomerId ?? ""), "customerId: 1-64 letters, digits, '_' or '-'.");
        Require(Id().IsMatch(PaymentId ?? ""), "paymentId: 1-64 letters, digits, '_' or '-'.");
        Require(AmountMinor > 0, "amountMinor: must be a positive integer in minor units.");
        Require(Code().IsMatch(Currency ?? ""), "currency: ISO 4217 code in upper case, e.g. EUR.");
        Require(Provider is not null && knownProviders.Contains(Provider), $"provider: one of {string.Join(", ", knownProviders)}.");
        if (Lines is null || Lines.Count is 0 or > MaxLines)
        {
            errors.Add($"lines: 1 to {MaxLines} lines.");
        }
        else
        {
            for (var i = 0; i < Lines.Count; i++)
            {
                Require(Lines[i] is not null && Id().IsMatch(Lines[i].Sku ?? ""), $"lines[{i}].sku: 1-64 letters, digits, '_' or '-'.");
                Require(Lines[i] is not null && Lines[i].Quantity is > 0 and <= 10_000, $"lines[{i}].quantity: 1 to 10000.");
            }
            Require(Lines.Where(l => l is not null).Select(l => l.Sku).Distinct().Count() == Lines.Count, "lines: each sku at most once.");
        }
        return errors;

        void Require(bool condition, string error)
        {
            if (!condition)
            {
                errors.Add(error);
            }
        }
    }

    /// <summary>
    /// True for a value usable as an order, customer, payment id or sku: it reaches Table keys as is,
    /// so it must hold none of the characters a key forbids ('/', '\', '#', '?', control characters).
    /// </summary>
    public static bool IsId(string? value) => value is not null && Id().IsMatch(value);

    // \z, not $: '$' also matches before a final '\n', and a trailing newline is a control character a Table key refuses.
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex Id();

    [GeneratedRegex(@"^[A-Z]{3}\z")]
    private static partial Regex Code();
}
