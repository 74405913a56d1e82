using Payments.Gateway;
using Payments.Gateway.Stripe;
using Stripe;

namespace Payments.Tests;

/// <summary>
/// Stripe's balance transactions as statement entries: each line in the charge's (or refund's) own
/// amount and currency, the settlement beside it; a payment's movement that cannot be read is isolated, not fatal.
/// </summary>
public sealed class StripeStatementEntryTests
{
    private static BalanceTransaction Charge(string? currency = "eur", bool expanded = true) => new()
    {
        Type = "charge",
        Amount = 1250,
        Currency = currency,
        Net = 1250,
        Created = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc),
        Source = expanded ? new Charge { PaymentIntentId = "pi_1", Amount = 1250, Currency = currency, Metadata = new() { ["order_id"] = "ord-1" } } : null,
    };

    /// <summary>
    /// A balance transaction as Stripe's API returns it for a EUR charge on a USD account (the list's
    /// <c>data[]</c> item with <c>expand[]=data.source</c>), parsed by Stripe.net as the connector parses it.
    /// </summary>
    private static BalanceTransaction CrossCurrency(string sourceJson, long amount, long fee) => BalanceTransaction.FromJson($$"""
        {
          "id": "txn_3MmlLrLkdIwHu7ix0uke3Ezy",
          "object": "balance_transaction",
          "amount": {{amount}},
          "available_on": 1764147600,
          "created": 1764061200,
          "currency": "usd",
          "description": null,
          "exchange_rate": 1.088,
          "fee": {{fee}},
          "fee_details": [],
          "net": {{amount - fee}},
          "reporting_category": "{{(amount > 0 ? "charge" : "refund")}}",
          "source": {{sourceJson}},
          "status": "available",
          "type": "{{(amount > 0 ? "charge" : "refund")}}"
        }
        """);

    [Fact]
    public void A_charge_settled_in_another_currency_is_a_capture_in_the_charges_own_amount_and_currency_with_the_settlement_beside()
    {
        var transaction = CrossCurrency("""
            {
              "id": "ch_3MmlLrLkdIwHu7ix0snN0B15",
              "object": "charge",
              "amount": 2000,
              "amount_captured": 2000,
              "amount_refunded": 0,
              "balance_transaction": "txn_3MmlLrLkdIwHu7ix0uke3Ezy",
              "captured": true,
              "currency": "eur",
              "metadata": { "order_id": "ord-eur" },
              "paid": true,
              "payment_intent": "pi_3MmlLrLkdIwHu7ix0QpeVkbF",
              "status": "succeeded"
            }
            """, amount: 2176, fee: 93);

        var line = StripeGateway.ToEntry(1, transaction)!.Line!;

        Assert.Equal(("pi_3MmlLrLkdIwHu7ix0QpeVkbF", "ord-eur", "capture", 2000L, "EUR"), (line.PaymentId, line.OrderId, line.Type, line.AmountMinor, line.Currency));
        Assert.Equal(new StatementSettlement(2176, "USD", 93, 2083, 1.088m), line.Settlement);
    }

    [Fact]
    public void A_refund_settled_in_another_currency_is_a_refund_in_its_own_amount_and_currency()
    {
        var transaction = CrossCurrency("""
            {
              "id": "re_3MmlLrLkdIwHu7ix0ZmDkVyV",
              "object": "refund",
              "amount": 2000,
              "balance_transaction": "txn_3MmlLrLkdIwHu7ix0uke3Ezy",
              "charge": "ch_3MmlLrLkdIwHu7ix0snN0B15",
              "currency": "eur",
              "metadata": { "order_id": "ord-eur" },
              "payment_intent": "pi_3MmlLrLkdIwHu7ix0QpeVkbF",
              "status": "succeeded"
            }
            """, amount: -2176, fee: 0);

        var line = StripeGateway.ToEntry(2, transaction)!.Line!;

        Assert.Equal(("refund", 2000L, "EUR", "re_3MmlLrLkdIwHu7ix0ZmDkVyV"), (line.Type, line.AmountMinor, line.Currency, line.RefundId));
        Assert.Equal(new StatementSettlement(-2176, "USD", 0, -2176, 1.088m), line.Settlement);
    }

    [Fact]
    public void A_charge_becomes_a_capture_line() =>
        Assert.Equal(("pi_1", "ord-1", "capture", 1250L, "EUR"),
            StripeGateway.ToEntry(3, Charge())!.Line is { } l ? (l.PaymentId, l.OrderId, l.Type, l.AmountMinor, l.Currency) : default);

    [Fact]
    public void A_charge_without_its_source_or_currency_is_malformed_by_its_number()
    {
        var unexpanded = StripeGateway.ToEntry(4, Charge(expanded: false))!;
        var noCurrency = StripeGateway.ToEntry(5, Charge(currency: null))!;

        Assert.Equal((4L, (StatementLine?)null), (unexpanded.LineNumber, unexpanded.Line));
        Assert.Contains("source", unexpanded.Problem, StringComparison.Ordinal);
        Assert.Equal(5L, noCurrency.LineNumber);
        Assert.Contains("currency", noCurrency.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fee_or_payout_is_no_payments_movement() =>
        Assert.Null(StripeGateway.ToEntry(6, new BalanceTransaction { Type = "payout", Amount = -500, Currency = "eur" }));
}
