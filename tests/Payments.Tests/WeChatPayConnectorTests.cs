using System.Net.Http.Json;
using System.Security.Cryptography;
using GatewaySimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.WeChatPay;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The simulator with its WeChat Pay dialect, and the WeChat Pay connector composed as the app composes it.</summary>
public sealed class WeChatPaySimulatorFixture : IAsyncLifetime
{
    private readonly List<ServiceProvider> providers = [];

    public SimulatorServer Gateway { get; private set; } = null!;

    public HttpClient GatewayHttp { get; private set; } = null!;

    public IPaymentGateway WeChatPay { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Webhooks go nowhere: these tests read the gateway back through the connector only.
        Gateway = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = "http://127.0.0.1:9", LossRate = 1.0 });
        GatewayHttp = new HttpClient { BaseAddress = Gateway.BaseAddress };
        WeChatPay = Connector().Outbound;
    }

    /// <summary>The connector on the simulator's settings, each changed as the test says.</summary>
    public IGatewayConnector Connector(Action<Dictionary<string, string?>>? change = null, SimulatorServer? gateway = null)
    {
        var settings = new Dictionary<string, string?>((gateway ?? Gateway).ConnectorSettings());
        change?.Invoke(settings);
        var collection = new ServiceCollection().AddLogging();
        collection.AddWeChatPayConnector(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var provider = collection.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<IGatewayConnector>();
    }

    /// <summary>Creates a payment at the simulator as the order service would (order id in attach), on WeChat Pay.</summary>
    public async Task<PaymentRef> CreateAsync(string orderId, long amount = 2500, string provider = "wechatpay", HttpClient? http = null)
    {
        var paymentId = "wx-" + orderId;
        using var created = await (http ?? GatewayHttp).PostAsJsonAsync("v1/payments", new { paymentId, orderId, amountMinor = amount, currency = "CNY", provider });
        created.EnsureSuccessStatusCode();
        return new PaymentRef(orderId, provider, paymentId);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }
        GatewayHttp.Dispose();
        await Gateway.DisposeAsync();
    }
}

/// <summary>
/// Every mapping of the WeChat Pay connector against the simulator's WeChat Pay dialect, which checks
/// each request's merchant signature and signs each answer: a call that works here was signed and
/// verified both ways.
/// </summary>
public sealed class WeChatPayConnectorTests(WeChatPaySimulatorFixture fixture) : IClassFixture<WeChatPaySimulatorFixture>
{
    private IPaymentGateway WeChatPay => fixture.WeChatPay;

    private static DateOnly ChinaToday => DateOnly.FromDateTime(DateTime.UtcNow + TradeBill.ChinaStandardTime);

    [Fact]
    public async Task Notpay_is_pending_success_is_paid_with_the_order_total_in_fen()
    {
        var payment = await fixture.CreateAsync("wq-paid", amount: 2500);
        Assert.Equal(new GatewayPayment(GatewayPaymentState.Pending, 0, "CNY"), await WeChatPay.QueryPaymentAsync(payment));

        await fixture.Gateway.PayAsync(payment.PaymentId, amountMinor: 2400);

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 2400, "CNY"), await WeChatPay.QueryPaymentAsync(payment));
    }

    [Fact]
    public async Task Payerror_is_a_failed_attempt_that_is_not_final()
    {
        var payment = await fixture.CreateAsync("wq-payerror");
        await fixture.Gateway.FailAsync(payment.PaymentId);

        Assert.Equal(GatewayPaymentState.Failed, (await WeChatPay.QueryPaymentAsync(payment)).State);
        // The customer tries again on the same out_trade_no and pays.
        await fixture.Gateway.PayAsync(payment.PaymentId);
        Assert.Equal(GatewayPaymentState.Paid, (await WeChatPay.QueryPaymentAsync(payment)).State);
    }

    [Fact]
    public async Task An_unknown_out_trade_no_is_not_found_and_closing_it_is_closed()
    {
        var payment = new PaymentRef("wq-unknown", "wechatpay", "wx-never-created");

        Assert.Equal(GatewayPaymentState.NotFound, (await WeChatPay.QueryPaymentAsync(payment)).State);
        Assert.True((await WeChatPay.ClosePaymentAsync(payment)).Closed);
    }

    [Fact]
    public async Task Closing_an_unpaid_transaction_closes_it()
    {
        var payment = await fixture.CreateAsync("wq-close");

        Assert.True((await WeChatPay.ClosePaymentAsync(payment)).Closed);
        Assert.Equal(GatewayPaymentState.Closed, (await WeChatPay.QueryPaymentAsync(payment)).State);
        Assert.Equal("closed", fixture.Gateway.Payments.Single(p => p.PaymentId == payment.PaymentId).Status);
    }

    [Fact]
    public async Task Closing_a_transaction_paid_first_is_already_paid_with_its_amount()
    {
        var payment = await fixture.CreateAsync("wq-late", amount: 3100);
        await fixture.Gateway.PayAsync(payment.PaymentId, amountMinor: 3100);

        var close = await WeChatPay.ClosePaymentAsync(payment);

        Assert.Equal(new CloseResult(false, 3100, "CNY"), close);
        Assert.Equal("paid", fixture.Gateway.Payments.Single(p => p.PaymentId == payment.PaymentId).Status);
    }

    /// <summary>WeChat Pay announces a refund's end only to the request's notify_url (issue 26, item 6).</summary>
    [Fact]
    public async Task A_refund_request_names_the_notify_url_its_end_is_announced_to()
    {
        var connector = fixture.Connector(s => s["Connectors:WeChatPay:RefundNotifyUrl"] = "https://payments.example.com/api/callbacks/wechatpay");
        var payment = await fixture.CreateAsync("wr-notify", amount: 900);
        await fixture.Gateway.PayAsync(payment.PaymentId);

        var answer = await connector.Outbound.RefundAsync(new RefundRequest(payment.OrderId, "wechatpay", payment.PaymentId, 900, "CNY", "amount_mismatch"), "refund-" + payment.PaymentId);

        Assert.Equal(RefundState.Pending, answer.State); // PROCESSING: accepted, not paid yet
        Assert.Equal("https://payments.example.com/api/callbacks/wechatpay", Assert.Single(fixture.Gateway.RefundsOf(payment.PaymentId)).Metadata!["notify_url"]);
        Assert.Equal(RefundState.Succeeded, (await connector.Outbound.QueryRefundAsync(new RefundRef(payment.OrderId, "wechatpay", payment.PaymentId, "refund-" + payment.PaymentId, answer.RefundId))).State);
    }

    [Fact]
    public async Task Two_refunds_with_one_out_refund_no_pay_out_once()
    {
        var payment = await fixture.CreateAsync("wr-once", amount: 1800);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        var refund = new RefundRequest(payment.OrderId, "wechatpay", payment.PaymentId, 1800, "CNY", "amount_mismatch");

        var first = await WeChatPay.RefundAsync(refund, $"refund-{payment.PaymentId}");
        var second = await WeChatPay.RefundAsync(refund, $"refund-{payment.PaymentId}");

        Assert.Equal(first, second);
        Assert.Single(fixture.Gateway.RefundsOf(payment.PaymentId));
        Assert.Equal(1800, fixture.Gateway.Payments.Single(p => p.PaymentId == payment.PaymentId).RefundedMinor);
        // A refunded transaction (trade_state REFUND) was still paid.
        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 1800, "CNY"), await WeChatPay.QueryPaymentAsync(payment));
    }

    [Fact]
    public async Task A_refund_wechat_pay_refuses_names_its_code_and_the_payment()
    {
        var payment = await fixture.CreateAsync("wr-unpaid");

        var refused = await Assert.ThrowsAsync<GatewayRefusedException>(() =>
            WeChatPay.RefundAsync(new RefundRequest(payment.OrderId, "wechatpay", payment.PaymentId, 500, "CNY", "late_payment"), "refund-wr-unpaid"));

        Assert.Equal(("wechatpay", "refund", 400, "INVALID_REQUEST"), (refused.Provider, refused.Operation, refused.StatusCode, refused.ErrorCode));
        Assert.Contains(payment.PaymentId, refused.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Gateway.RefundsOf(payment.PaymentId));
    }

    [Fact]
    public async Task The_statement_is_the_day_s_trade_bill_with_only_wechat_pay_s_payments()
    {
        var prefix = "wb" + Guid.NewGuid().ToString("N")[..6];
        var paid = await fixture.CreateAsync(prefix + "-1", amount: 8888);
        var refunded = await fixture.CreateAsync(prefix + "-2", amount: 1234);
        var other = await fixture.CreateAsync(prefix + "-3", amount: 999, provider: "standard");
        foreach (var payment in new[] { paid, refunded, other })
        {
            await fixture.Gateway.PayAsync(payment.PaymentId);
        }
        await WeChatPay.RefundAsync(new RefundRequest(refunded.OrderId, "wechatpay", refunded.PaymentId, 1234, "CNY", "late_payment"), "refund-" + prefix);

        var lines = (await Collect.AllAsync(WeChatPay.GetStatementAsync(ChinaToday))).Select(e => e.Line!).Where(l => l.OrderId.StartsWith(prefix, StringComparison.Ordinal)).ToList();

        Assert.Equal(
            [("wx-" + prefix + "-1", prefix + "-1", "capture", 8888L), ("wx-" + prefix + "-2", prefix + "-2", "capture", 1234L), ("wx-" + prefix + "-2", prefix + "-2", "refund", 1234L)],
            lines.Select(l => (l.PaymentId, l.OrderId, l.Type, l.AmountMinor)).OrderBy(l => l.PaymentId).ThenBy(l => l.Type).ToList());
        Assert.All(lines, l => Assert.Equal("CNY", l.Currency));
    }

    [Fact]
    public async Task A_day_without_trades_has_no_bill_and_an_empty_statement() =>
        Assert.Empty(await Collect.AllAsync(WeChatPay.GetStatementAsync(new DateOnly(2020, 1, 1))));

    [Fact]
    public async Task An_answer_not_signed_by_the_configured_platform_key_is_not_believed()
    {
        using var impostor = RSA.Create(2048);
        var connector = fixture.Connector(settings =>
        {
            var serial = settings["Connectors:WeChatPay:PlatformPublicKeys"]!.Split('=')[0];
            settings["Connectors:WeChatPay:PlatformPublicKeys"] = $"{serial}={Convert.ToBase64String(impostor.ExportSubjectPublicKeyInfo())}";
        });
        var payment = await fixture.CreateAsync("wq-impostor");

        var error = await Assert.ThrowsAsync<WeChatPayUnverifiedResponseException>(() => connector.Outbound.QueryPaymentAsync(payment));

        Assert.Contains("signature does not match", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_signed_with_another_merchant_key_is_refused_by_wechat_pay()
    {
        using var other = RSA.Create(2048);
        var connector = fixture.Connector(settings => settings["Connectors:WeChatPay:MerchantPrivateKey"] = other.ExportPkcs8PrivateKeyPem());
        var payment = await fixture.CreateAsync("wq-wrongkey");

        var refused = await Assert.ThrowsAsync<GatewayRefusedException>(() => connector.Outbound.QueryPaymentAsync(payment));

        Assert.Equal((401, "SIGN_ERROR"), (refused.StatusCode, refused.ErrorCode));
    }

    [Theory]
    [InlineData("")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://vault.vault.azure.net/secrets/connectors-wechatpay-merchant-private-key/)")]
    public async Task Without_a_usable_merchant_key_nothing_is_sent(string value)
    {
        var connector = fixture.Connector(settings => settings["Connectors:WeChatPay:MerchantPrivateKey"] = value);
        // Refused before the request is built: the envelope never reads the key.
        await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() => connector.Outbound.QueryPaymentAsync(new PaymentRef("o", "wechatpay", "wx-o")));

        Assert.Equal("Connectors:WeChatPay:MerchantPrivateKey", connector.UnusableCredential?.Key);
        Assert.DoesNotContain("vault.azure.net", connector.UnusableCredential!.Problem!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_outage_is_retried_in_call_a_bounded_number_of_times_each_attempt_signed_afresh()
    {
        await using var failing = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = "http://127.0.0.1:9", LossRate = 1.0, ApiErrorRate = 1.0 });
        var connector = fixture.Connector(gateway: failing);

        await Assert.ThrowsAsync<HttpRequestException>(() => connector.Outbound.QueryPaymentAsync(new PaymentRef("o", "wechatpay", "wx-outage")));

        // One try and the shared pipeline's two retries, every one past the signature check to the outage.
        Assert.Equal(3, failing.Stats.ApiErrorsInjected);
    }
}
