using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A Stripe account that settles in USD: the simulator books EUR and JPY charges on the balance
/// transactions in dollars with <c>exchange_rate</c> set, as Stripe does for a US account. Webhooks are
/// lost and the window short, so a late capture is found by the statement alone.
/// </summary>
public sealed class StripeUsdAccountFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "stripeusd",
        settings => settings["Saga:PaymentWindowSeconds"] = "3",
        gateway => gateway with { LossRate = 1.0, StripeSettlementCurrency = "USD" });
}

public sealed class StripeSettlementCurrencyTests(StripeUsdAccountFixture fixture) : IClassFixture<StripeUsdAccountFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Theory]
    [InlineData("EUR", 2000L, 2176L)] // 20.00 EUR × 1.088 = 21.76 USD
    [InlineData("JPY", 5000L, 3300L)] // ¥5,000 × 0.0066 = 33.00 USD
    public async Task A_capture_after_the_cancel_on_a_usd_account_is_refunded_in_the_charges_own_amount_and_currency(string currency, long amount, long settledCents)
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-usd-" + currency, 1);
        var order = await Pipeline.RegisterOrderWithoutPaymentAsync("usd-late-" + currency, amount, "sku-usd-" + currency, "stripe", currency);
        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "timeout"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        await Pipeline.CreatePaymentAsync(order);
        await Pipeline.Gateway.PayAsync(order.PaymentId); // its webhook lost: only the statement tells

        var report = await Pipeline.ReconcileStatementAsync();

        var found = Assert.Single(report.Discrepancies, d => d.OrderId == order.OrderId);
        Assert.Equal((DiscrepancyClass.PaidButCancelled, "refund_started", amount, currency), (found.Class, found.Action, found.AmountMinor, found.Currency));
        Assert.Contains($"settled {settledCents} USD", found.Detail, StringComparison.Ordinal);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var refund = await Pipeline.Durable.WaitForInstanceCompletionAsync(LatePaymentRefund.InstanceId(order.PaymentId), getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrderStatus.Refunded, refund.ReadOutputAs<SagaOutcome>()!.Status);
        var paidBack = Assert.Single(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal((amount, currency), (paidBack.AmountMinor, paidBack.Currency));
        Assert.Equal(amount, Pipeline.Gateway.Payments.Single(p => p.PaymentId == order.PaymentId).RefundedMinor);
        Assert.Null(await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId)));
    }

    [Fact]
    public async Task A_completed_eur_order_settled_in_usd_is_no_discrepancy()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-usd-ok", 1);
        var order = await Pipeline.RegisterOrderAsync("usd-ok", amount: 2000, sku: "sku-usd-ok", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        // The window's query finds the intent succeeded with 2000 EUR.
        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await Pipeline.WaitForOutcomeAsync(order.OrderId));

        var report = await Pipeline.ReconcileStatementAsync();

        Assert.DoesNotContain(report.Discrepancies, d => d.OrderId == order.OrderId);
        Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));
        Assert.Equal(new StockLevel("sku-usd-ok", 0, 0, 1), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-usd-ok"));
    }
}
