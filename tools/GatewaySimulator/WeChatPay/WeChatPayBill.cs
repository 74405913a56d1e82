using System.Globalization;
using System.Text;

namespace GatewaySimulator.WeChatPay;

/// <summary>
/// The trade bill (<c>bill_type=ALL</c>) as WeChat Pay writes it: a header row, one row per payment and
/// per refund with a backquote before every field, then the totals' header and row (also backquoted).
/// Amounts in yuan, times in China Standard Time. The product name holds a comma and Chinese text on
/// purpose: a reader that splits on every comma, or mishandles UTF-8, gets the columns wrong.
/// </summary>
internal static class WeChatPayBill
{
    private const string Header = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
    private const string TotalsHeader = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
    private const string Product = "测试商品,大号";

    public static byte[] Write(IReadOnlyList<LedgerEntry> entries)
    {
        var text = new StringBuilder();
        text.Append(Header).Append("\r\n");
        long captured = 0, refunded = 0;
        foreach (var entry in entries)
        {
            var capture = entry.Type == "capture";
            var amount = Yuan(entry.AmountMinor);
            string[] fields =
            [
                entry.OccurredAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                WeChatPayDialect.AppId, WeChatPayDialect.MerchantId, "0", "",
                entry.SourceId, entry.PaymentId, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "JSAPI",
                capture ? "SUCCESS" : "REFUND", "OTHERS", entry.Currency,
                capture ? amount : "0.00", "0.00",
                capture ? "0" : entry.SourceId, capture ? "0" : entry.SourceId,
                capture ? "0.00" : amount, "0.00",
                capture ? "" : "ORIGINAL", capture ? "" : "SUCCESS",
                Product, entry.OrderId, "0.00000", "0.60%",
                capture ? amount : "0.00", capture ? "0.00" : amount, "",
            ];
            text.Append(string.Join(',', fields.Select(f => "`" + f))).Append("\r\n");
            captured += capture ? entry.AmountMinor : 0;
            refunded += capture ? 0 : entry.AmountMinor;
        }
        text.Append(TotalsHeader).Append("\r\n");
        string[] totals = [entries.Count.ToString(CultureInfo.InvariantCulture), Yuan(captured), Yuan(refunded), "0.00", "0.00000", Yuan(captured), Yuan(refunded)];
        text.Append(string.Join(',', totals.Select(f => "`" + f))).Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
