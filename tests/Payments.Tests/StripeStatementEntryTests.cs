using Payments.Gateway.Stripe;
using Stripe;

namespace Payments.Tests;

/// <summary>Stripe's balance transactions as statement entries: a payment's movement that cannot be read is isolated, not fatal.</summary>
public sealed class StripeStatementEntryTests
{
    private static BalanceTransaction Charge(string? currency = "eur", bool expanded = true) => new()
    {
        Type = "charge",
        Amount = 1250,
        Currency = currency,
        Created = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc),
        Source = expanded ? new Charge { PaymentIntentId = "pi_1", Metadata = new() { ["order_id"] = "ord-1" } } : null,
    };

    [Fact]
    public void A_charge_becomes_a_capture_line() =>
        Assert.Equal(("pi_1", "ord-1", "capture", 1250L, "EUR"),
            StripeGateway.ToEntry(3, Charge())!.Line is { } l ? (l.PaymentId, l.OrderId, l.Type, l.AmountMinor, l.Currency) : default);

    [Fact]
    public void A_charge_without_its_source_or_currency_is_malformed_by_its_number()
    {
        var unexpanded = StripeGateway.ToEntry(4, Charge(expanded: false))!;
        var noCurrency = StripeGateway.ToEntry(5, Charge(currency: null))!;

        Assert.Equal((4L, (Payments.Gateway.StatementLine?)null), (unexpanded.LineNumber, unexpanded.Line));
        Assert.Contains("source", unexpanded.Problem, StringComparison.Ordinal);
        Assert.Equal(5L, noCurrency.LineNumber);
        Assert.Contains("currency", noCurrency.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fee_or_payout_is_no_payments_movement() =>
        Assert.Null(StripeGateway.ToEntry(6, new BalanceTransaction { Type = "payout", Amount = -500, Currency = "eur" }));
}
