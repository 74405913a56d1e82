using System.Net.Http.Json;
using GatewaySimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;

namespace Payments.Tests;

/// <summary>The simulator with its Stripe dialect, and the Stripe connector composed as the app composes it (Stripe.net over its resilient client).</summary>
public sealed class StripeSimulatorFixture : IAsyncLifetime
{
    public const string ApiKey = "sk_test_connector_tests";

    private ServiceProvider? services;

    public SimulatorServer Gateway { get; private set; } = null!;

    public HttpClient GatewayHttp { get; private set; } = null!;

    public GatewayConnectors Connectors => services!.GetRequiredService<GatewayConnectors>();

    public IPaymentGateway Stripe => Connectors.For("stripe").Outbound;

    public IHttpClientFactory HttpClients => services!.GetRequiredService<IHttpClientFactory>();

    public async Task InitializeAsync()
    {
        // Webhooks go nowhere: these tests read the gateway back through Stripe.net only.
        Gateway = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = "http://127.0.0.1:9", LossRate = 1.0, ApiKey = ApiKey });
        GatewayHttp = new HttpClient { BaseAddress = Gateway.BaseAddress };
        GatewayHttp.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:BaseUrl"] = Gateway.BaseAddress.ToString(),
            ["Gateway:ApiKey"] = ApiKey,
            ["Intake:StandardSecrets"] = SimulatorOptions.DefaultStandardSecret,
            ["Connectors:Stripe:ApiBase"] = Gateway.BaseAddress.ToString(),
            ["Connectors:Stripe:ApiKey"] = ApiKey,
            ["Connectors:Stripe:WebhookSecrets"] = SimulatorOptions.DefaultStripeSecret,
        }).Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddSimulatorConnector(configuration).AddStripeConnector(configuration);
        collection.AddSingleton(sp => new GatewayConnectors(sp.GetServices<IGatewayConnector>()));
        services = collection.BuildServiceProvider();
    }

    /// <summary>Creates a payment at the simulator as the order service would, on the given provider's account.</summary>
    public async Task<PaymentRef> CreateAsync(string orderId, long amount = 2500, string provider = "stripe", string currency = "EUR")
    {
        var paymentId = (provider == "stripe" ? "pi_" : "pay_") + orderId;
        using var created = await GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId, orderId, amountMinor = amount, currency, provider });
        created.EnsureSuccessStatusCode();
        return new PaymentRef(orderId, provider, paymentId);
    }

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }
        GatewayHttp.Dispose();
        await Gateway.DisposeAsync();
    }
}

/// <summary>
/// Every mapping of the Stripe connector, through Stripe.net against the simulator's Stripe dialect:
/// Stripe.net's own deserialisation checks each shape the dialect answers with.
/// </summary>
public sealed class StripeConnectorTests(StripeSimulatorFixture fixture) : IClassFixture<StripeSimulatorFixture>
{
    private IPaymentGateway Stripe => fixture.Stripe;

    [Fact]
    public async Task A_succeeded_intent_is_paid_with_its_amount_received()
    {
        var payment = await fixture.CreateAsync("sq-paid", amount: 2500);
        await fixture.Gateway.PayAsync(payment.PaymentId, amountMinor: 2400);

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 2400, "EUR"), await Stripe.QueryPaymentAsync(payment));
    }

    [Fact]
    public async Task A_zero_decimal_currency_is_not_scaled()
    {
        var payment = await fixture.CreateAsync("sq-jpy", amount: 500, currency: "JPY");
        await fixture.Gateway.PayAsync(payment.PaymentId);

        // ¥500 is 500 in Stripe's smallest unit and in the pipeline's minor units alike.
        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 500, "JPY"), await Stripe.QueryPaymentAsync(payment));
        var lines = await Infrastructure.Collect.LinesAsync(Stripe.GetStatementAsync(DateOnly.FromDateTime(DateTime.UtcNow)));
        Assert.Equal((500, "JPY"), lines.Where(l => l.PaymentId == payment.PaymentId).Select(l => (l.AmountMinor, l.Currency)).Single());
    }

    [Fact]
    public async Task A_canceled_intent_is_closed()
    {
        var payment = await fixture.CreateAsync("sq-canceled");

        var close = await Stripe.ClosePaymentAsync(payment);

        Assert.True(close.Closed);
        Assert.Equal(GatewayPaymentState.Closed, (await Stripe.QueryPaymentAsync(payment)).State);
        Assert.Equal("closed", fixture.Gateway.Payments.Single(p => p.PaymentId == payment.PaymentId).Status);
    }

    [Fact]
    public async Task An_intent_back_to_requires_payment_method_after_a_decline_is_not_final()
    {
        var payment = await fixture.CreateAsync("sq-declined");
        await fixture.Gateway.FailAsync(payment.PaymentId);

        Assert.Equal(GatewayPaymentState.Pending, (await Stripe.QueryPaymentAsync(payment)).State);
        // The customer retries on the same intent and pays: the connector sees it.
        await fixture.Gateway.PayAsync(payment.PaymentId);
        Assert.Equal(GatewayPaymentState.Paid, (await Stripe.QueryPaymentAsync(payment)).State);
    }

    [Fact]
    public async Task An_unknown_intent_is_not_found_and_closing_it_is_closed()
    {
        var payment = new PaymentRef("sq-unknown", "stripe", "pi_never_created");

        Assert.Equal(GatewayPaymentState.NotFound, (await Stripe.QueryPaymentAsync(payment)).State);
        Assert.True((await Stripe.ClosePaymentAsync(payment)).Closed);
    }

    [Fact]
    public async Task A_cancel_refused_because_the_intent_already_succeeded_is_already_paid_with_its_amount()
    {
        var payment = await fixture.CreateAsync("sq-late", amount: 3100);
        await fixture.Gateway.PayAsync(payment.PaymentId, amountMinor: 3100);

        var close = await Stripe.ClosePaymentAsync(payment);

        Assert.Equal(new CloseResult(false, 3100, "EUR"), close);
        Assert.True(close.AlreadyPaid);
        Assert.Equal("paid", fixture.Gateway.Payments.Single(p => p.PaymentId == payment.PaymentId).Status);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_is_found_by_its_key_and_one_never_made_is_requested()
    {
        var payment = await fixture.CreateAsync("sr-lostanswer", amount: 1600);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        var made = await Stripe.RefundAsync(new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 600, "EUR", "customer_return", RequestKey: "as-1"), "key-sr-made");

        var found = await Stripe.QueryRefundAsync(new RefundRef(payment.OrderId, "stripe", payment.PaymentId, "key-sr-made", GatewayRefundId: null));
        var never = await Stripe.QueryRefundAsync(new RefundRef(payment.OrderId, "stripe", payment.PaymentId, "key-sr-never", GatewayRefundId: null));

        Assert.Equal(new GatewayRefund(RefundState.Succeeded, made.RefundId), found);
        Assert.Equal(new GatewayRefund(RefundState.Requested, null), never);
    }

    [Fact]
    public async Task Two_refunds_with_one_idempotency_key_pay_out_once()
    {
        var payment = await fixture.CreateAsync("sr-once", amount: 1800);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        var refund = new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 1800, "EUR", "amount_mismatch");

        var first = await Stripe.RefundAsync(refund, $"refund-{payment.PaymentId}");
        var second = await Stripe.RefundAsync(refund, $"refund-{payment.PaymentId}");

        Assert.Equal(first, second);
        Assert.StartsWith("re_", first.RefundId, StringComparison.Ordinal);
        Assert.Single(fixture.Gateway.RefundsOf(payment.PaymentId));
        Assert.Equal(1800, fixture.Gateway.Payments.Single(p => p.PaymentId == payment.PaymentId).RefundedMinor);
    }

    [Fact]
    public async Task A_refund_stripe_refuses_is_a_clear_failure_naming_stripe_s_error_and_the_payment()
    {
        var payment = await fixture.CreateAsync("sr-unpaid");
        var refund = new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 500, "EUR", "late_payment");

        var refused = await Assert.ThrowsAsync<GatewayRefusedException>(() => Stripe.RefundAsync(refund, "refund-sr-unpaid"));

        Assert.Equal(("stripe", "refund", 400, "charge_not_refundable"), (refused.Provider, refused.Operation, refused.StatusCode, refused.ErrorCode));
        Assert.Contains(payment.PaymentId, refused.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_request_error/charge_not_refundable", refused.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Gateway.RefundsOf(payment.PaymentId));
    }

    [Fact]
    public async Task An_idempotency_key_reused_with_other_parameters_is_refused()
    {
        var payment = await fixture.CreateAsync("sr-reuse", amount: 2000);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        await Stripe.RefundAsync(new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 500, "EUR", "partial"), "refund-sr-reuse");

        var refused = await Assert.ThrowsAsync<GatewayRefusedException>(() =>
            Stripe.RefundAsync(new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 700, "EUR", "partial"), "refund-sr-reuse"));

        Assert.Contains("idempotency_error", refused.Message, StringComparison.Ordinal);
        Assert.Single(fixture.Gateway.RefundsOf(payment.PaymentId));
    }

    [Fact]
    public async Task A_refund_reads_the_intent_s_refunds_first_and_asks_only_for_what_is_not_yet_refunded()
    {
        var payment = await fixture.CreateAsync("sr-rest", amount: 2500);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        // Someone refunded 1000 from Stripe's dashboard (another key): the pipeline's refund of the payment adds only 1500.
        await Stripe.RefundAsync(new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 1000, "EUR", "dashboard"), "dashboard-sr-rest");
        var full = new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 2500, "EUR", "late_payment", Attempt: 1);

        var first = await Stripe.RefundAsync(full, full.IdempotencyKey());
        var again = await Stripe.RefundAsync(full with { Attempt = 2 }, (full with { Attempt = 2 }).IdempotencyKey());

        Assert.Equal("refund1-pi_sr-rest", full.IdempotencyKey());
        Assert.Equal([1000L, 1500L], fixture.Gateway.RefundsOf(payment.PaymentId).Select(r => r.AmountMinor));
        Assert.Equal(first.RefundId, fixture.Gateway.RefundsOf(payment.PaymentId)[1].RefundId);
        // Fully refunded: a later attempt under a new key is answered with a refund that exists, never a new one.
        Assert.Contains(again.RefundId, fixture.Gateway.RefundsOf(payment.PaymentId).Select(r => r.RefundId));
        Assert.Equal(2, fixture.Gateway.RefundsOf(payment.PaymentId).Count);
    }

    [Fact]
    public async Task The_statement_is_the_day_s_balance_transactions_across_pages_and_only_stripe_s()
    {
        // 230 captures and 3 refunds: three pages of 100 for Stripe.net's auto-pagination.
        var prefix = "st" + Guid.NewGuid().ToString("N")[..6];
        var paid = new List<PaymentRef>();
        for (var i = 0; i < 230; i++)
        {
            var payment = await fixture.CreateAsync($"{prefix}-{i}", amount: 1000 + i);
            await fixture.Gateway.PayAsync(payment.PaymentId);
            paid.Add(payment);
        }
        foreach (var payment in paid.Take(3))
        {
            await Stripe.RefundAsync(new RefundRequest(payment.OrderId, "stripe", payment.PaymentId, 100, "EUR", "test"), $"refund-{payment.PaymentId}");
        }
        var standard = await fixture.CreateAsync($"{prefix}-own", provider: "standard");
        await fixture.Gateway.PayAsync(standard.PaymentId);

        var lines = await Infrastructure.Collect.LinesAsync(Stripe.GetStatementAsync(DateOnly.FromDateTime(DateTime.UtcNow)));

        var mine = lines.Where(l => l.OrderId.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(233, mine.Count);
        Assert.Equal(230, mine.Select(l => l.PaymentId).Distinct().Count(p => mine.Any(l => l.PaymentId == p && l.Type == "capture")));
        Assert.Equal(new StatementLine(paid[7].PaymentId, paid[7].OrderId, "capture", 1007, "EUR", mine.Single(l => l.PaymentId == paid[7].PaymentId).OccurredAt,
                Settlement: new StatementSettlement(1007, "EUR", 0, 1007)),
            mine.Single(l => l.PaymentId == paid[7].PaymentId));
        // Refunds come positive, with the order id Stripe keeps on the refund.
        Assert.Equal(3, mine.Count(l => l is { Type: "refund", AmountMinor: 100, Currency: "EUR" } && paid.Take(3).Any(p => p.PaymentId == l.PaymentId && p.OrderId == l.OrderId)));
        Assert.DoesNotContain(lines, l => l.PaymentId == standard.PaymentId);
    }

    [Fact]
    public async Task A_connector_without_a_usable_key_does_not_keep_the_others_statements_from_reconciling()
    {
        var own = await fixture.CreateAsync("keyless-o", amount: 1400, provider: "standard");
        await fixture.Gateway.PayAsync(own.PaymentId);
        var keyless = new StripeConnector(fixture.HttpClients, Options.Create(new StripeOptions { WebhookSecrets = SimulatorOptions.DefaultStripeSecret, ApiBase = fixture.Gateway.BaseAddress.ToString() }));
        var connectors = new GatewayConnectors([fixture.Connectors.For("standard"), keyless]);

        var lines = await Infrastructure.Collect.LinesAsync(connectors.GetStatementAsync(DateOnly.FromDateTime(DateTime.UtcNow)));

        Assert.Single(lines, l => l.PaymentId == own.PaymentId);
        Assert.Equal("Connectors:Stripe:ApiKey", keyless.UnusableCredential?.Key);
        await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() => connectors.QueryPaymentAsync(new PaymentRef("keyless-s", "stripe", "pi_keyless")));
    }

    [Fact]
    public async Task An_order_s_provider_picks_its_connector_and_the_statement_joins_every_connector()
    {
        var stripe = await fixture.CreateAsync("route-s", amount: 1200);
        var standard = await fixture.CreateAsync("route-o", amount: 1300, provider: "standard");
        await fixture.Gateway.PayAsync(stripe.PaymentId);
        await fixture.Gateway.PayAsync(standard.PaymentId);

        Assert.IsType<StripeConnector>(fixture.Connectors.For("stripe"));
        Assert.IsType<SimulatorConnector>(fixture.Connectors.For("standard"));
        Assert.Equal(1200, (await fixture.Connectors.QueryPaymentAsync(stripe)).PaidAmountMinor);
        Assert.Equal(1300, (await fixture.Connectors.QueryPaymentAsync(standard)).PaidAmountMinor);
        // The Stripe dialect knows only the Stripe account's intents.
        Assert.Equal(GatewayPaymentState.NotFound, (await fixture.Connectors.QueryPaymentAsync(standard with { Provider = "stripe" })).State);
        Assert.Throws<UnknownProviderException>(() => fixture.Connectors.For("adyen"));

        var lines = await Infrastructure.Collect.LinesAsync(fixture.Connectors.GetStatementAsync(DateOnly.FromDateTime(DateTime.UtcNow)));
        Assert.Single(lines, l => l.PaymentId == stripe.PaymentId);
        Assert.Single(lines, l => l.PaymentId == standard.PaymentId);
    }
}
