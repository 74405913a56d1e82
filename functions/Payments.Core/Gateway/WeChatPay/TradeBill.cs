using System.Globalization;
using System.Runtime.CompilerServices;
using Payments.Contracts;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// Reads WeChat Pay's trade bill (<c>bill_type=ALL</c>) into statement lines. The bill is its own text
/// format, not RFC 4180: a header row of column names, one row per payment or refund with every field
/// prefixed by a backquote (so a spreadsheet keeps long digit strings as text), then a header row and a
/// row of totals. Fields are never quoted, so a detail row is split on <c>,`</c> — the field boundary the
/// backquotes mark — which keeps a comma inside a product name from shifting the columns. Columns are
/// found by name (WeChat Pay says their order is not fixed). Amounts are decimal yuan: they become minor
/// units exactly. Times are China Standard Time. A row that cannot be read (fields missing, an amount
/// that is not exact yuan and fen, a time that is not one) becomes a <see cref="StatementEntry.Malformed"/>
/// naming its line and the column at fault, never its content, and the rows after it still count. The
/// totals row's transaction count must equal the detail rows read, so a truncated download is an
/// error for the whole bill, not a short statement.
/// </summary>
public static class TradeBill
{
    /// <summary>China Standard Time: the bill's times and its day boundary (00:00 CST).</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    private const string TimeColumn = "交易时间";
    private const string OutTradeNoColumn = "商户订单号";
    private const string StateColumn = "交易状态";
    private const string CurrencyColumn = "货币种类";
    private const string OrderAmountColumn = "订单金额";
    private const string SettlementAmountColumn = "应结订单金额";
    private const string RefundRequestedColumn = "申请退款金额";
    private const string RefundAmountColumn = "退款金额";
    private const string AttachColumn = "商户数据包";
    private const string RefundIdColumn = "微信退款单号";
    private const string CountColumn = "总交易单数";

    public static async IAsyncEnumerable<StatementEntry> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var header = await reader.ReadLineAsync(ct) ?? throw new InvalidDataException("Trade bill: empty.");
        var columns = Columns(header.TrimStart('\uFEFF'));
        var time = Require(columns, TimeColumn);
        var outTradeNo = Require(columns, OutTradeNoColumn);
        var state = Require(columns, StateColumn);
        var currency = Require(columns, CurrencyColumn);
        var orderAmount = columns.GetValueOrDefault(OrderAmountColumn, -1) is >= 0 and var o ? o : Require(columns, SettlementAmountColumn);
        var refundAmount = columns.GetValueOrDefault(RefundRequestedColumn, -1) is >= 0 and var r ? r : Require(columns, RefundAmountColumn);
        var attach = columns.GetValueOrDefault(AttachColumn, -1);
        var refundId = columns.GetValueOrDefault(RefundIdColumn, -1);

        long rows = 0;
        var lineNumber = 1;
        string? line;
        while ((line = await reader.ReadLineAsync(ct)) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] != '`')
            {
                await CheckTotalsAsync(reader, line, rows, ct);
                yield break;
            }
            var fields = line[1..].Split(",`");
            rows++;
            if (fields.Length != columns.Count)
            {
                yield return StatementEntry.Malformed(lineNumber, $"{fields.Length} fields under {columns.Count} columns");
                continue;
            }
            var lineCurrency = fields[currency].Trim().ToUpperInvariant();
            var (type, amountColumn) = fields[state].Trim() switch
            {
                "SUCCESS" => ("capture", orderAmount),
                "REFUND" => ("refund", refundAmount),
                // REVOKED (a reversed card-present payment) and other states move no money of an order here.
                _ => (null, -1),
            };
            if (type is null)
            {
                continue;
            }
            var paymentId = fields[outTradeNo].Trim();
            var orderId = attach >= 0 && fields[attach].Trim() is { Length: > 0 } a ? a : paymentId;
            if (paymentId.Length == 0)
            {
                yield return StatementEntry.Malformed(lineNumber, $"{OutTradeNoColumn} is empty");
                continue;
            }
            if (lineCurrency.Length != 3 || !lineCurrency.All(char.IsAsciiLetterUpper))
            {
                yield return StatementEntry.Malformed(lineNumber, $"{CurrencyColumn} is not an ISO 4217 code");
                continue;
            }
            if (AmountProblem(fields[amountColumn], lineCurrency, out var minor) is { } problem)
            {
                yield return StatementEntry.Malformed(lineNumber, $"{(amountColumn == orderAmount ? "the order amount" : "the refund amount")} {problem}");
                continue;
            }
            if (!TryTime(fields[time], out var at))
            {
                yield return StatementEntry.Malformed(lineNumber, $"{TimeColumn} is not yyyy-MM-dd HH:mm:ss");
                continue;
            }
            var refund = type == "refund" && refundId >= 0 && fields[refundId].Trim() is { Length: > 0 } id ? id : null;
            yield return StatementEntry.Parsed(lineNumber, new StatementLine(paymentId, orderId, type, minor, lineCurrency, at, RefundId: refund));
        }
        throw new InvalidDataException($"Trade bill: no totals after {rows} rows; the download is incomplete.");
    }

    /// <summary>A decimal amount in major units (yuan) as minor units (fen) of the currency, exactly.</summary>
    public static long Minor(string amount, string currency, int lineNumber = 0) =>
        AmountProblem(amount, currency, out var minor) is { } problem
            ? throw new InvalidDataException($"Trade bill line {lineNumber}: the amount {problem}.")
            : minor;

    /// <summary>Why <paramref name="amount"/> is not an exact amount of <paramref name="currency"/> (without repeating it), or null with its minor units.</summary>
    private static string? AmountProblem(string amount, string currency, out long minorUnits)
    {
        minorUnits = 0;
        if (!decimal.TryParse(amount.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var major))
        {
            return "is not a decimal";
        }
        var minor = major * CurrencyUnits.MinorPerMajor(currency);
        if (minor != decimal.Truncate(minor))
        {
            return $"has more decimals than {currency} has minor units";
        }
        if (minor > long.MaxValue)
        {
            return "is too large";
        }
        minorUnits = (long)minor;
        return null;
    }

    private static async Task CheckTotalsAsync(TextReader reader, string totalsHeader, long rows, CancellationToken ct)
    {
        var columns = Columns(totalsHeader);
        var totals = await reader.ReadLineAsync(ct);
        if (totals is null || !totals.StartsWith('`'))
        {
            throw new InvalidDataException("Trade bill: the totals row is missing; the download is incomplete.");
        }
        var values = totals[1..].Split(",`");
        if (!columns.TryGetValue(CountColumn, out var count) || count >= values.Length
            || !long.TryParse(values[count].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
        {
            throw new InvalidDataException($"Trade bill: the totals row has no {CountColumn}.");
        }
        if (expected != rows)
        {
            throw new InvalidDataException($"Trade bill: the totals count {expected} transactions, {rows} rows were read.");
        }
    }

    private static Dictionary<string, int> Columns(string header)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = header.Split(',');
        for (var i = 0; i < names.Length; i++)
        {
            columns.TryAdd(names[i].Trim(), i);
        }
        return columns;
    }

    private static int Require(Dictionary<string, int> columns, string name) =>
        columns.TryGetValue(name, out var index) ? index : throw new InvalidDataException($"Trade bill: no '{name}' column.");

    private static bool TryTime(string value, out DateTimeOffset at)
    {
        var ok = DateTime.TryParseExact(value.Trim(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local);
        at = ok ? new DateTimeOffset(local, ChinaStandardTime) : default;
        return ok;
    }
}
