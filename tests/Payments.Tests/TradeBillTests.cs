using System.Text;
using Payments.Gateway;
using Payments.Gateway.WeChatPay;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>WeChat Pay's trade bill text format, written here by hand after WeChat Pay's format guide.</summary>
public sealed class TradeBillTests
{
    private const string Header = "\uFEFF交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
    private const string Payment = "`2026-11-25 09:15:02,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202611250000000001,`pay-1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`CMC,`CNY,`88.80,`0.00,`0,`0,`0.00,`0.00,`,`,`茶叶,礼盒装,`ord-1,`0.53280,`0.60%,`88.80,`0.00,`";
    private const string Refund = "`2026-11-25 23:59:59,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202611250000000001,`pay-1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`CMC,`CNY,`0.00,`0.00,`50000000012026112500000000,`refund-pay-1,`88.80,`0.00,`ORIGINAL,`SUCCESS,`茶叶,礼盒装,`ord-1,`-0.53280,`0.60%,`0.00,`88.80,`";
    private const string Revoked = "`2026-11-25 10:00:00,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202611250000000002,`pay-2,`o2,`MICROPAY,`REVOKED,`CMC,`CNY,`0.00,`0.00,`0,`0,`0.00,`0.00,`,`,`x,`,`0.00000,`0.60%,`5.00,`0.00,`";
    private const string TotalsHeader = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

    private static string Totals(int count) => $"`{count},`88.80,`88.80,`0.00,`0.00000,`93.80,`88.80";

    private static async Task<List<StatementLine>> ReadAsync(params string[] lines) =>
        [.. (await EntriesAsync(lines)).Select(e => e.Line ?? throw new InvalidDataException($"line {e.LineNumber}: {e.Problem}"))];

    private static Task<List<StatementEntry>> EntriesAsync(params string[] lines) =>
        Collect.AllAsync(TradeBill.ReadAsync(new StringReader(string.Join("\r\n", lines) + "\r\n")));

    [Fact]
    public async Task Payments_and_refunds_become_lines_in_minor_units_at_china_standard_time()
    {
        var lines = await ReadAsync(Header, Payment, Refund, Revoked, TotalsHeader, Totals(3));

        Assert.Equal(
            [
                new StatementLine("pay-1", "ord-1", "capture", 8880, "CNY", new DateTimeOffset(2026, 11, 25, 1, 15, 2, TimeSpan.Zero)),
                new StatementLine("pay-1", "ord-1", "refund", 8880, "CNY", new DateTimeOffset(2026, 11, 25, 15, 59, 59, TimeSpan.Zero), RefundId: "50000000012026112500000000"),
            ],
            lines);
    }

    [Fact]
    public async Task Columns_are_found_by_name_not_position()
    {
        // The same payment with its columns in another order (WeChat Pay says the order is not fixed).
        var names = Header.TrimStart('\uFEFF').Split(',');
        var values = Payment[1..].Split(",`");
        var order = Enumerable.Range(0, names.Length).Reverse().ToArray();

        var lines = await ReadAsync(string.Join(',', order.Select(i => names[i])), "`" + string.Join(",`", order.Select(i => values[i])), TotalsHeader, Totals(1));

        Assert.Equal(("pay-1", "ord-1", 8880L), lines.Select(l => (l.PaymentId, l.OrderId, l.AmountMinor)).Single());
    }

    [Fact]
    public async Task Without_merchant_data_the_order_is_the_out_trade_no() =>
        Assert.Equal("pay-1", (await ReadAsync(Header, Payment.Replace("`ord-1,", "`,", StringComparison.Ordinal), TotalsHeader, Totals(1))).Single().OrderId);

    [Theory]
    [InlineData("`88.801,", "more decimals")]
    [InlineData("`8a.80,", "not a decimal")]
    public async Task A_row_whose_amount_is_not_exact_yuan_and_fen_is_isolated_and_the_rows_after_it_still_count(string amount, string expected)
    {
        // The order amount (订单金额) is what a capture line reads.
        var broken = ReplaceLast(Payment, "`0.60%,`88.80,", "`0.60%," + amount);

        var entries = await EntriesAsync(Header, broken, Refund, TotalsHeader, Totals(2));

        var malformed = entries[0];
        Assert.Equal(2, malformed.LineNumber);
        Assert.Null(malformed.Line);
        Assert.Contains(expected, malformed.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(amount.Trim('`', ','), malformed.Problem, StringComparison.Ordinal);
        Assert.Equal(("refund", 8880L), (entries[1].Line!.Type, entries[1].Line!.AmountMinor));
    }

    [Fact]
    public async Task A_row_whose_time_is_unreadable_is_isolated()
    {
        var entries = await EntriesAsync(Header, Payment.Replace("`2026-11-25 09:15:02,", "`25/11/2026,", StringComparison.Ordinal), TotalsHeader, Totals(1));

        Assert.Contains("交易时间", Assert.Single(entries).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bill_cut_short_is_an_error_not_a_short_statement()
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(Header, Payment, Refund));
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(Header, Payment, Refund, TotalsHeader));
        var miscounted = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(Header, Payment, TotalsHeader, Totals(2)));
        Assert.Contains("2 transactions, 1 rows", miscounted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_with_a_field_missing_is_isolated_by_its_line_and_the_rows_after_it_still_count()
    {
        var entries = await EntriesAsync(Header, Payment[..Payment.LastIndexOf(",`", StringComparison.Ordinal)], Refund, TotalsHeader, Totals(2));

        Assert.Equal((2L, (StatementLine?)null), (entries[0].LineNumber, entries[0].Line));
        Assert.Contains("fields under", entries[0].Problem, StringComparison.Ordinal);
        Assert.Equal((3L, "refund"), (entries[1].LineNumber, entries[1].Line!.Type));
    }

    [Fact]
    public async Task A_bill_of_only_totals_is_an_empty_statement() =>
        Assert.Empty(await ReadAsync(Header, TotalsHeader, "`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00"));

    [Fact]
    public async Task The_reader_takes_the_bill_as_utf8_bytes_with_non_ascii_product_names()
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join("\r\n", Header, Payment, TotalsHeader, Totals(1)) + "\r\n");
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8);

        Assert.Single(await Collect.AllAsync(TradeBill.ReadAsync(reader)));
    }

    private static string ReplaceLast(string text, string find, string replacement)
    {
        var at = text.LastIndexOf(find, StringComparison.Ordinal);
        return at < 0 ? text : text[..at] + replacement + text[(at + find.Length)..];
    }
}
