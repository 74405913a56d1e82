using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace GatewaySimulator;

/// <summary>Writes a daily settlement statement as CSV straight into the response pipe, row by row.</summary>
internal static class StatementCsv
{
    public const string Header = "payment_id,order_id,type,amount_minor,currency,occurred_at,refund_id";

    private const int RowsPerFlush = 256;

    public static async Task WriteAsync(PipeWriter output, IEnumerable<LedgerEntry> entries, int malformedLines, CancellationToken ct)
    {
        WriteLine(output, Header);
        var rows = 0;
        foreach (var entry in entries)
        {
            if (rows == 1)
            {
                WriteMalformed(output, entry, malformedLines);
            }
            WriteLine(output, string.Join(
                ',',
                Escape(entry.PaymentId),
                Escape(entry.OrderId),
                entry.Type,
                entry.AmountMinor.ToString(CultureInfo.InvariantCulture),
                entry.Currency,
                entry.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                entry.Type == "refund" ? Escape(entry.SourceId) : ""));

            if (++rows % RowsPerFlush == 0)
            {
                await output.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        if (rows == 1)
        {
            // A one-row statement: the broken rows come after it.
            WriteMalformed(output, null, malformedLines);
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Rows a glitching export would write: columns intact (quoted, with commas), the amount not a number.</summary>
    private static void WriteMalformed(PipeWriter output, LedgerEntry? near, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var at = (near?.OccurredAt ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            WriteLine(output, string.Join(',', Escape($"pay-glitch-{i}"), Escape($"order, \"glitch\" {i}"), "capture", Escape("12,50"), "EUR", at, ""));
        }
    }

    private static void WriteLine(PipeWriter output, string line)
    {
        Encoding.UTF8.GetBytes(line, output);
        Encoding.UTF8.GetBytes("\n", output);
    }

    // RFC 4180: ids are caller-chosen, so a comma or quote in them must not break the columns.
    private static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
