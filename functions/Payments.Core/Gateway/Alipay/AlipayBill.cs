using System.IO.Compression;
using System.Text;
using nietras.SeparatedValues;

namespace Payments.Gateway.Alipay;

/// <summary>
/// Alipay's trade bill (<c>bill_type=trade</c>): a zip of GBK-encoded CSV files, of which the
/// business detail (业务明细) lists every trade (交易) and refund (退款) of one China Standard Time
/// day, framed by <c>#</c> comment lines above and below the table. Amounts are yuan (refunds
/// negative); each row becomes a <see cref="StatementLine"/> in fen, numbered by its row in the detail
/// table. A row that cannot be read (not split into the header's columns, no yuan amount, no finish time,
/// no merchant order number, a reference that is not a valid id) becomes a
/// <see cref="StatementEntry.Malformed"/> naming the column, never its content; the rows after it still count.
/// </summary>
public static class AlipayBill
{
    public const string TradeNo = "支付宝交易号";
    public const string OutTradeNo = "商户订单号";
    public const string BusinessType = "业务类型";
    public const string FinishedAt = "完成时间";
    public const string OrderAmount = "订单金额（元）";
    public const string Remark = "备注";
    public const string RefundNo = "退款批次号/请求号";
    public const string Trade = "交易";
    public const string Refund = "退款";

    static AlipayBill() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The bill's files are GBK; GB18030 reads GBK and more.</summary>
    public static Encoding FileEncoding => Encoding.GetEncoding("GB18030");

    /// <summary>The detail lines of a downloaded bill (the zip, or one detail CSV on its own).</summary>
    public static IReadOnlyList<StatementEntry> Read(byte[] download)
    {
        if (download is [(byte)'P', (byte)'K', ..])
        {
            using var zip = new ZipArchive(new MemoryStream(download), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: FileEncoding);
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open(), FileEncoding);
                var text = reader.ReadToEnd();
                // The summary file (汇总) sits beside the detail; only the detail has the trade number column.
                if (IsDetail(text))
                {
                    return ReadDetail(text);
                }
            }
            throw new InvalidDataException("Alipay's bill holds no business detail file.");
        }
        var single = FileEncoding.GetString(download);
        return IsDetail(single) ? ReadDetail(single) : throw new InvalidDataException("Alipay's bill is neither a zip nor a business detail file.");
    }

    private static bool IsDetail(string text) => Table(text).StartsWith(TradeNo, StringComparison.Ordinal);

    /// <summary>The CSV table between the comment lines.</summary>
    private static string Table(string text) =>
        string.Join('\n', text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith('#')));

    private static List<StatementEntry> ReadDetail(string text)
    {
        var entries = new List<StatementEntry>();
        // Column counts are checked row by row here, so one row that does not split into the header's
        // columns is reported and the rest still count, rather than Sep failing the whole bill.
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromText(Table(text));
        var columns = reader.Header.ColNames.Count;
        var hasRefundNo = reader.Header.TryIndexOf(RefundNo, out _);
        foreach (var row in reader)
        {
            if (row.ColCount != columns)
            {
                entries.Add(StatementEntry.Malformed(row.RowIndex, $"{row.ColCount} columns under the header's {columns}"));
                continue;
            }
            var type = Col(row, BusinessType) switch
            {
                Trade => "capture",
                Refund => "refund",
                _ => null,
            };
            if (type is null)
            {
                continue;
            }
            var paymentId = Col(row, OutTradeNo);
            var amount = AlipayAmount.ToFen(Col(row, OrderAmount).TrimStart('-'));
            var finished = AlipayProvider.ChinaTime(Col(row, FinishedAt));
            entries.Add((paymentId, amount, finished) switch
            {
                ({ Length: 0 }, _, _) => StatementEntry.Malformed(row.RowIndex, $"{OutTradeNo} is empty"),
                (_, null, _) => StatementEntry.Malformed(row.RowIndex, $"{OrderAmount} is not an amount in yuan"),
                (_, _, null) => StatementEntry.Malformed(row.RowIndex, $"{FinishedAt} is not a time"),
                // 备注 is free text from any integration on the account: not an order id, the row is malformed, never fatal.
                _ => StatementEntry.Parsed(row.RowIndex, new StatementLine(paymentId, Col(row, Remark), type, amount.Value, AlipayAmount.Currency, finished.Value,
                    RefundId: type == "refund" && hasRefundNo && Col(row, RefundNo) is { Length: > 0 } refundNo ? refundNo : null), OutTradeNo, Remark),
            });
        }
        return entries;
    }

    // Alipay pads cells with tabs (so spreadsheets keep long numbers as text) and spaces.
    private static string Col(SepReader.Row row, string name) => row[name].ToString().Trim().Trim('\t').Trim();
}
