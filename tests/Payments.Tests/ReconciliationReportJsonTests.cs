using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Payments.Contracts;
using Payments.Functions.Http;

namespace Payments.Tests;

/// <summary>
/// A reconciliation report as its JSON surfaces write it (the ops route and the console both reply
/// through <see cref="HttpReply.JsonBody"/>): each discrepancy's class by name, never its number.
/// </summary>
public sealed class ReconciliationReportJsonTests
{
    [Fact]
    public async Task Every_discrepancy_class_is_written_by_name_and_read_back()
    {
        var date = new DateOnly(2026, 11, 25);
        var report = new StatementReport(date, 6, 6,
            [.. Enum.GetValues<DiscrepancyClass>().Select(c => new Discrepancy(date, c, "pay-" + (int)c, "ord-" + (int)c, 100, "EUR", "parked", c.ToString()))]);

        using var json = JsonDocument.Parse(await ReplyBodyAsync(HttpReply.JsonBody(200, report)));

        var classes = json.RootElement.GetProperty("discrepancies").EnumerateArray().Select(d => d.GetProperty("class")).ToArray();
        Assert.All(classes, c => Assert.Equal(JsonValueKind.String, c.ValueKind));
        Assert.Equal(Enum.GetNames<DiscrepancyClass>(), classes.Select(c => c.GetString()));
        Assert.Equal(report.Discrepancies, JsonSerializer.Deserialize<StatementReport>(json.RootElement.GetRawText(), JsonSerializerOptions.Web)!.Discrepancies);
    }

    [Fact]
    public void A_report_stored_with_numbers_still_reads() =>
        Assert.Equal(DiscrepancyClass.AmountMismatch, JsonSerializer.Deserialize<Discrepancy>(
            """{"date":"2026-11-25","class":3,"paymentId":"p","orderId":"o","amountMinor":1,"currency":"EUR","action":"parked","detail":""}""", JsonSerializerOptions.Web)!.Class);

    private static async Task<byte[]> ReplyBodyAsync(IActionResult reply)
    {
        using var body = new MemoryStream();
        var http = new DefaultHttpContext();
        http.Response.Body = body;
        await reply.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        return body.ToArray();
    }
}
