using System.Globalization;
using System.Net;

namespace GatewaySimulator.Tests;

public sealed class StatementTests
{
    [Fact]
    public async Task Statement_lists_captures_and_refunds_of_the_day_as_csv()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-s1", 1500, orderId: "order,with \"comma\"");
        using var refund = await client.RefundAsync("pay-s1", "key-s1", 500);
        var refundJson = await refund.JsonAsync();
        var refundedAt = refundJson.GetProperty("createdAt").GetDateTimeOffset();
        var refundId = refundJson.GetProperty("refundId").GetString();
        var paidAt = (await client.GetPaymentAsync("pay-s1")).GetProperty("paidAt").GetDateTimeOffset();

        var captureLines = await StatementLinesAsync(client, paidAt);
        var refundLines = await StatementLinesAsync(client, refundedAt);

        Assert.Equal("payment_id,order_id,type,amount_minor,currency,occurred_at,refund_id", captureLines[0]);
        Assert.Contains($"pay-s1,\"order,with \"\"comma\"\"\",capture,1500,EUR,{Iso(paidAt)},", captureLines);
        Assert.Contains($"pay-s1,\"order,with \"\"comma\"\"\",refund,500,EUR,{Iso(refundedAt)},{refundId}", refundLines);
    }

    [Fact]
    public async Task Statement_of_a_quiet_day_has_only_the_header_and_bad_dates_are_400()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-s2");

        var lines = await StatementLinesAsync(client, new DateTimeOffset(2001, 2, 3, 0, 0, 0, TimeSpan.Zero));
        using var badDate = await client.GetAsync("/v1/statements/03-02-2001");

        Assert.Equal(["payment_id,order_id,type,amount_minor,currency,occurred_at,refund_id"], lines);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
    }

    private static async Task<string[]> StatementLinesAsync(HttpClient client, DateTimeOffset day)
    {
        using var response = await client.GetAsync($"/v1/statements/{day.UtcDateTime:yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
