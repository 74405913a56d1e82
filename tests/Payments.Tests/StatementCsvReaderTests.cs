using System.Text;
using GatewaySimulator;
using Payments.Gateway;
using Payments.Gateway.Simulator;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The simulator connector's statement reader: RFC 4180 CSV through Sep, a bad row isolated rather than fatal.</summary>
public sealed class StatementCsvReaderTests
{
    private const string Header = "payment_id,order_id,type,amount_minor,currency,occurred_at\n";

    private static Task<List<StatementEntry>> ReadAsync(string csv) =>
        Collect.AllAsync(StatementCsvReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv))));

    [Fact]
    public async Task Quoted_fields_with_commas_quotes_and_line_breaks_keep_their_columns_and_an_id_no_table_key_can_hold_is_malformed()
    {
        var entries = await ReadAsync(Header
            + "\"pay-1\",\"ord-1\",\"capture\",\"1250\",EUR,2026-11-25T10:00:00.000Z\n"
            + "\"pay,1\",\"order \"\"one\"\", big\",capture,1250,EUR,2026-11-25T10:00:00.000Z\n"
            + "pay-2,\"two\nlines\",refund,99,JPY,2026-11-25T11:30:00.000Z\n");

        Assert.Equal(new StatementLine("pay-1", "ord-1", "capture", 1250, "EUR", new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero)), entries[0].Line);
        // Each read as its six columns (a split would be a column count), then refused by the id that would become a Table key.
        Assert.Equal([(3L, "payment_id is not a valid payment id"), (4L, "order_id is not a valid order id")], entries.Skip(1).Select(e => (e.LineNumber, e.Problem)));
    }

    [Fact]
    public async Task A_refund_line_names_its_refund_where_the_statement_has_the_column_and_a_statement_without_it_still_reads()
    {
        var withIds = await ReadAsync("payment_id,order_id,type,amount_minor,currency,occurred_at,refund_id\n"
            + "pay-1,o-1,capture,100,EUR,2026-11-25T10:00:00Z,\n"
            + "pay-1,o-1,refund,40,EUR,2026-11-25T11:00:00Z,re-1\n");
        var withoutIds = await ReadAsync(Header + "pay-1,o-1,refund,40,EUR,2026-11-25T11:00:00Z\n");

        Assert.Equal([null, "re-1"], withIds.Select(e => e.Line?.RefundId));
        Assert.Equal(40, Assert.Single(withoutIds).Line?.AmountMinor);
        Assert.Null(withoutIds[0].Line?.RefundId);
    }

    [Theory]
    [InlineData("pay-x,o-x,capture,\"12,50\",EUR,2026-11-25T10:00:00Z", "amount_minor")]
    [InlineData("pay-x,o-x,capture,12,50,EUR,2026-11-25T10:00:00Z", "7 columns")]
    [InlineData("pay-x,o-x,chargeback,1250,EUR,2026-11-25T10:00:00Z", "type")]
    [InlineData("pay-x,o-x,capture,1250,euro,2026-11-25T10:00:00Z", "currency")]
    [InlineData("pay-x,o-x,capture,1250,EUR,yesterday", "occurred_at")]
    [InlineData(",o-x,capture,1250,EUR,2026-11-25T10:00:00Z", "payment_id")]
    public async Task A_malformed_row_is_reported_by_line_number_and_reason_and_the_rows_around_it_still_parse(string bad, string reason)
    {
        var entries = await ReadAsync(Header
            + "pay-1,o-1,capture,100,EUR,2026-11-25T10:00:00Z\n"
            + bad + "\n"
            + "pay-3,o-3,capture,300,EUR,2026-11-25T10:00:00Z\n");

        Assert.Equal(["pay-1", null, "pay-3"], entries.Select(e => e.Line?.PaymentId));
        var malformed = entries[1];
        Assert.Equal(3, malformed.LineNumber);
        Assert.Contains(reason, malformed.Problem);
        Assert.DoesNotContain("pay-x", malformed.Problem); // the reason names the column, never the row's content
    }

    [Fact]
    public async Task The_simulators_glitched_rows_are_isolated_between_its_real_ones()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { LossRate = 1.0, MalformedStatementLines = 1 });
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        foreach (var id in new[] { "csv1", "csv,\"2\"" })
        {
            (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "v1/payments",
                new { paymentId = "pay-" + id, orderId = id, amountMinor = 700, currency = "EUR", provider = "standard" })).EnsureSuccessStatusCode();
            await simulator.PayAsync("pay-" + id);
        }

        await using var csv = await http.GetStreamAsync($"v1/statements/{DateTime.UtcNow:yyyy-MM-dd}");
        var entries = await Collect.AllAsync(StatementCsvReader.ReadAsync(csv));

        Assert.Equal(["pay-csv1", null, null], entries.Select(e => e.Line?.PaymentId));
        Assert.Equal((3L, "amount_minor is not a whole non-negative number"), (entries[1].LineNumber, entries[1].Problem));
        // The quoted row is read as its six fields (not split at its comma), and then refused by its id:
        // a payment id with ',' or '"' is none the ledger can hold, and it must not reach a Table key.
        Assert.Equal((4L, "payment_id is not a valid payment id"), (entries[2].LineNumber, entries[2].Problem));
    }
}
