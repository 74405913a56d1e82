using System.Globalization;
using System.Runtime.CompilerServices;
using nietras.SeparatedValues;

namespace Payments.Gateway.Simulator;

/// <summary>
/// Reads a settlement statement in the simulator's CSV dialect
/// (<c>payment_id,order_id,type,amount_minor,currency,occurred_at</c>, then optionally <c>refund_id</c>)
/// with Sep: RFC 4180 quoting, so ids with commas, quotes or line breaks keep their columns. A row that does not parse becomes a
/// <see cref="StatementEntry.Malformed"/> entry naming the column at fault; the rows after it still count.
/// </summary>
public static class StatementCsvReader
{
    private static readonly string[] Columns = ["payment_id", "order_id", "type", "amount_minor", "currency", "occurred_at"];

    // Statements written before refund lines named their refund have no such column.
    private const string RefundIdColumn = "refund_id";

    public static async IAsyncEnumerable<StatementEntry> ReadAsync(Stream csv, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var reader = await Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true })
            .FromAsync(csv, ct);
        if (!Columns.All(c => reader.Header.TryIndexOf(c, out _)))
        {
            throw new InvalidDataException("The statement's header lacks one of " + string.Join(',', Columns) + ".");
        }
        var at = reader.Header.IndicesOf(Columns);
        var refundAt = reader.Header.TryIndexOf(RefundIdColumn, out var index) ? index : -1;
        var width = reader.Header.ColNames.Count;
        await foreach (var row in reader.WithCancellation(ct))
        {
            // Line numbers as an operator counts them in the file: the header is line 1.
            yield return Parse(row, at, refundAt, width, row.LineNumberFrom);
        }
    }

    private static StatementEntry Parse(SepReader.Row row, int[] at, int refundAt, int width, long lineNumber)
    {
        if (row.ColCount != width)
        {
            return StatementEntry.Malformed(lineNumber, $"{row.ColCount} columns, expected {width}");
        }
        var paymentId = row[at[0]].ToString();
        var orderId = row[at[1]].ToString();
        var type = row[at[2]].ToString();
        if (paymentId.Length == 0)
        {
            return StatementEntry.Malformed(lineNumber, "payment_id is empty");
        }
        if (type is not ("capture" or "refund"))
        {
            return StatementEntry.Malformed(lineNumber, "type is neither capture nor refund");
        }
        if (!long.TryParse(row[at[3]].Span, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return StatementEntry.Malformed(lineNumber, "amount_minor is not a whole non-negative number");
        }
        var currency = row[at[4]].Span;
        if (currency.Length != 3 || currency.ContainsAnyExceptInRange('A', 'Z'))
        {
            return StatementEntry.Malformed(lineNumber, "currency is not an ISO 4217 code");
        }
        if (!DateTimeOffset.TryParse(row[at[5]].Span, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
        {
            return StatementEntry.Malformed(lineNumber, "occurred_at is not a timestamp");
        }
        var refundId = type == "refund" && refundAt >= 0 && row[refundAt].ToString() is { Length: > 0 } id ? id : null;
        return StatementEntry.Parsed(lineNumber, new StatementLine(paymentId, orderId, type, amount, currency.ToString(), occurredAt.ToUniversalTime(), RefundId: refundId),
            Columns[0], Columns[1]);
    }
}
