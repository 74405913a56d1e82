using System.Net.Http.Json;
using GatewaySimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Alipay;

namespace Payments.Tests;

/// <summary>The simulator with its Alipay dialect, and the Alipay connector composed as the app composes it.</summary>
public sealed class AlipaySimulatorFixture : IAsyncLifetime
{
    private readonly List<ServiceProvider> providers = [];

    public SimulatorServer Gateway { get; private set; } = null!;

    public HttpClient GatewayHttp { get; private set; } = null!;

    public IPaymentGateway Alipay { get; private set; } = null!;

    public IGatewayConnector Connector { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Webhooks go nowhere: these tests read the gateway back through the connector only.
        Gateway = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = "http://127.0.0.1:9", LossRate = 1.0 });
        GatewayHttp = new HttpClient { BaseAddress = Gateway.BaseAddress };
        Connector = Compose();
        Alipay = Connector.Outbound;
    }

    /// <summary>An Alipay connector on the simulator's settings, with some of them overridden.</summary>
    public IGatewayConnector Compose(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(Gateway.ConnectorSettings());
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System)
            .AddAlipayConnector(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
        providers.Add(services);
        return services.GetServices<IGatewayConnector>().Single();
    }

    /// <summary>Creates a trade at the simulator as the order service would (out_trade_no = payment id).</summary>
    public async Task<PaymentRef> CreateAsync(string orderId, long amount = 2500)
    {
        var paymentId = "ali-" + orderId;
        using var created = await GatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId, orderId, amountMinor = amount, currency = "CNY", provider = "alipay" });
        created.EnsureSuccessStatusCode();
        return new PaymentRef(orderId, "alipay", paymentId);
    }

    public async Task DisposeAsync()
    {
        foreach (var services in providers)
        {
            await services.DisposeAsync();
        }
        GatewayHttp.Dispose();
        await Gateway.DisposeAsync();
    }
}

/// <summary>
/// Every call of the Alipay connector against the simulator's Alipay dialect: requests signed with the
/// app's key (the simulator refuses anything else), answers verified with Alipay's.
/// </summary>
public sealed class AlipayConnectorTests(AlipaySimulatorFixture fixture) : IClassFixture<AlipaySimulatorFixture>
{
    private IPaymentGateway Alipay => fixture.Alipay;

    [Fact]
    public async Task A_trade_is_pending_until_paid_then_paid_with_its_total_in_fen()
    {
        var payment = await fixture.CreateAsync("aq-1", amount: 8888);

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Pending, 0, "CNY"), await Alipay.QueryPaymentAsync(payment));
        await fixture.Gateway.PayAsync(payment.PaymentId);
        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 8888, "CNY"), await Alipay.QueryPaymentAsync(payment));
        Assert.Equal(GatewayPaymentState.NotFound, (await Alipay.QueryPaymentAsync(payment with { PaymentId = "ali-never" })).State);
    }

    [Fact]
    public async Task Closing_a_waiting_trade_closes_it_and_closing_a_paid_one_reports_it_paid()
    {
        var waiting = await fixture.CreateAsync("ac-1");
        var paid = await fixture.CreateAsync("ac-2", amount: 1999);
        await fixture.Gateway.PayAsync(paid.PaymentId);

        Assert.True((await Alipay.ClosePaymentAsync(waiting)).Closed);
        Assert.Equal(GatewayPaymentState.Closed, (await Alipay.QueryPaymentAsync(waiting)).State);
        Assert.Equal(new CloseResult(false, 1999, "CNY"), await Alipay.ClosePaymentAsync(paid));
        Assert.True((await Alipay.ClosePaymentAsync(waiting with { PaymentId = "ali-never" })).Closed);
    }

    [Fact]
    public async Task A_refund_is_paid_out_once_per_idempotency_key()
    {
        var payment = await fixture.CreateAsync("ar-1", amount: 2500);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        var refund = new RefundRequest(payment.OrderId, "alipay", payment.PaymentId, 2500, "CNY", "test");

        var first = await Alipay.RefundAsync(refund, "refund-" + payment.PaymentId);
        var again = await Alipay.RefundAsync(refund, "refund-" + payment.PaymentId);

        Assert.Equal(first, again);
        var paidOut = Assert.Single(fixture.Gateway.RefundsOf(payment.PaymentId));
        Assert.Equal(2500, paidOut.AmountMinor);
        // Fully refunded, the trade is closed.
        Assert.Equal(GatewayPaymentState.Closed, (await Alipay.QueryPaymentAsync(payment)).State);
        await Assert.ThrowsAsync<GatewayRefusedException>(() => Alipay.RefundAsync(refund with { Currency = "EUR" }, "refund-eur"));
    }

    [Fact]
    public async Task The_bill_lists_the_days_trades_and_refunds_in_fen_with_their_order_ids()
    {
        var payment = await fixture.CreateAsync("ab-1", amount: 1234);
        await fixture.Gateway.PayAsync(payment.PaymentId);
        await Alipay.RefundAsync(new RefundRequest(payment.OrderId, "alipay", payment.PaymentId, 234, "CNY", "test"), "refund-ab-1");
        var chinaToday = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);

        var lines = (await Infrastructure.Collect.AllAsync(Alipay.GetStatementAsync(chinaToday))).Select(e => e.Line!).Where(l => l.PaymentId == payment.PaymentId).ToArray();

        Assert.Equal([("capture", 1234L), ("refund", 234L)], lines.Select(l => (l.Type, l.AmountMinor)));
        Assert.All(lines, l => Assert.Equal(("ab-1", "CNY"), (l.OrderId, l.Currency)));
    }

    [Fact]
    public async Task A_day_without_a_bill_is_an_empty_statement_not_an_error() =>
        // Alipay answers isp.bill_not_exist for a day with no trade and no refund (the simulator too).
        Assert.Empty(await Infrastructure.Collect.AllAsync(Alipay.GetStatementAsync(new DateOnly(2020, 1, 1))));

    [Fact]
    public void A_bill_row_that_cannot_be_read_is_isolated_by_its_row_and_column_and_the_rows_after_it_still_count()
    {
        string Row(string outTradeNo, string amount, string finished) =>
            $"\t2026112522001,\t{outTradeNo},交易,茶叶,2026-11-25 09:00:00,{finished},门店,收银台,买家,{amount},{amount},0.00,0.00,0.00,0.00,,,,ord-1";
        var header = $"{AlipayBill.TradeNo},{AlipayBill.OutTradeNo},{AlipayBill.BusinessType},商品名称,创建时间,{AlipayBill.FinishedAt},门店编号,门店名称,对方账户,{AlipayBill.OrderAmount},商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,{AlipayBill.Remark}";
        var text = string.Join("\r\n",
            "#支付宝业务明细查询", header,
            Row("pay-a", "12.34", "2026-11-25 09:00:05"),
            Row("pay-b", "12.3x", "2026-11-25 09:00:05"),
            Row("pay-c", "10.00", "yesterday"),
            Row("", "10.00", "2026-11-25 09:00:05"),
            Row("pay-d", "5.00", "2026-11-25 09:00:09"),
            "#业务明细列表结束");

        var entries = AlipayBill.Read(AlipayBill.FileEncoding.GetBytes(text));

        Assert.Equal(["pay-a", "pay-d"], entries.Where(e => e.Line is not null).Select(e => e.Line!.PaymentId));
        Assert.Equal([(2L, AlipayBill.OrderAmount), (3L, AlipayBill.FinishedAt), (4L, AlipayBill.OutTradeNo)],
            entries.Where(e => e.Line is null).Select(e => (e.LineNumber, e.Problem!.Split(' ')[0])));
        Assert.All(entries.Where(e => e.Problem is not null), e => Assert.DoesNotContain("12.3x", e.Problem!, StringComparison.Ordinal));
    }

    private const string BillHeader = $"{AlipayBill.TradeNo},{AlipayBill.OutTradeNo},{AlipayBill.BusinessType},商品名称,创建时间,{AlipayBill.FinishedAt},门店编号,门店名称,对方账户,{AlipayBill.OrderAmount},商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,{AlipayBill.Remark}";

    private static string BillRow(string outTradeNo, string remark, string amount = "10.00") =>
        $"\t2026112522001,\t{outTradeNo},交易,茶叶,2026-11-25 09:00:00,2026-11-25 09:00:05,门店,收银台,买家,{amount},{amount},0.00,0.00,0.00,0.00,,,,{remark}";

    private static byte[] Bill(params string[] rows) =>
        AlipayBill.FileEncoding.GetBytes(string.Join("\r\n", ["#支付宝业务明细查询", BillHeader, .. rows, "#业务明细列表结束"]));

    [Theory]
    [InlineData("收银台/3号#早班?")]
    [InlineData("a\\b")]
    [InlineData("ord?1")]
    [InlineData("早班")]
    public void A_bill_row_whose_remark_is_not_an_order_id_is_malformed_by_its_position_and_the_others_count(string remark)
    {
        var entries = AlipayBill.Read(Bill(BillRow("pay-a", "ord-a"), BillRow("pay-b", remark), BillRow("pay-c", "")));

        Assert.Equal([("pay-a", "ord-a"), ("pay-c", "")], entries.Where(e => e.Line is not null).Select(e => (e.Line!.PaymentId, e.Line.OrderId)));
        var malformed = Assert.Single(entries, e => e.Line is null);
        Assert.Equal(2L, malformed.LineNumber);
        Assert.StartsWith(AlipayBill.Remark, malformed.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(remark, malformed.Problem!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bill_row_whose_merchant_order_number_is_not_a_payment_id_is_malformed()
    {
        var entries = AlipayBill.Read(Bill(BillRow("pay/a#1", "ord-a"), BillRow("pay-b", "ord-b")));

        Assert.Equal(["pay-b"], entries.Where(e => e.Line is not null).Select(e => e.Line!.PaymentId));
        Assert.Equal((1L, AlipayBill.OutTradeNo), entries.Where(e => e.Line is null).Select(e => (e.LineNumber, e.Problem!.Split(' ')[0])).Single());
    }

    [Fact]
    public void A_bill_row_that_does_not_split_into_the_header_s_columns_is_malformed_and_the_rest_still_count()
    {
        // An unquoted comma in the goods' name (a row of 20 columns under 19), and a row cut short.
        var entries = AlipayBill.Read(Bill(
            BillRow("pay-a", "ord-a"),
            BillRow("pay-b", "ord-b").Replace("茶叶", "茶叶,红茶", StringComparison.Ordinal),
            "\t2026112522009,\tpay-x,交易",
            BillRow("pay-c", "ord-c")));

        Assert.Equal(["pay-a", "pay-c"], entries.Where(e => e.Line is not null).Select(e => e.Line!.PaymentId));
        Assert.Equal([2L, 3L], entries.Where(e => e.Line is null).Select(e => e.LineNumber));
        Assert.All(entries.Where(e => e.Line is null), e => Assert.Contains("columns", e.Problem!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_answer_signed_by_another_key_is_not_believed()
    {
        using var other = System.Security.Cryptography.RSA.Create(2048);
        var payment = await fixture.CreateAsync("aw-1");
        var wrongKey = fixture.Compose(new() { ["Connectors:Alipay:AlipayPublicKeys"] = Convert.ToBase64String(other.ExportSubjectPublicKeyInfo()) });

        await Assert.ThrowsAsync<InvalidDataException>(() => wrongKey.Outbound.QueryPaymentAsync(payment));
    }

    [Fact]
    public async Task A_request_signed_with_another_app_key_is_refused_by_alipay()
    {
        using var other = System.Security.Cryptography.RSA.Create(2048);
        var payment = await fixture.CreateAsync("aw-2");
        var wrongKey = fixture.Compose(new() { ["Connectors:Alipay:AppPrivateKey"] = Convert.ToBase64String(other.ExportPkcs8PrivateKey()) });

        var refused = await Assert.ThrowsAsync<GatewayRefusedException>(() => wrongKey.Outbound.QueryPaymentAsync(payment));
        Assert.Equal("isv.invalid-signature", refused.ErrorCode);
    }

    [Fact]
    public async Task Without_the_app_key_nothing_is_sent_and_the_setting_is_named()
    {
        var keyless = fixture.Compose(new() { ["Connectors:Alipay:AppPrivateKey"] = "@Microsoft.KeyVault(SecretUri=https://vault.example/secrets/alipay/)" });

        Assert.Equal("Connectors:Alipay:AppPrivateKey", keyless.UnusableCredential?.Key);
        await Assert.ThrowsAsync<GatewayCredentialsUnavailableException>(() => keyless.Outbound.QueryPaymentAsync(new PaymentRef("o", "alipay", "ali-none")));
    }
}
