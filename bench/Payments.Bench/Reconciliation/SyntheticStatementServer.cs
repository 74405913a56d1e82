using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace Payments.Benchmarks.Reconciliation;

/// <summary>
/// A gateway statement endpoint that generates its CSV on the fly: the simulator's
/// <c>GET /v1/statements/{date}</c> format (same header, same columns, same timestamp format), as many
/// lines as registered for the date, streamed row by row, so a million lines need no million payments.
/// </summary>
public sealed class SyntheticStatementServer : IAsyncDisposable
{
    public const string Header = "payment_id,order_id,type,amount_minor,currency,occurred_at";
    private const int RowsPerFlush = 256;

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<DateOnly, StatementShape> statements = new();

    private SyntheticStatementServer(WebApplication app) => this.app = app;

    public Uri BaseAddress => new(app.Urls.First().TrimEnd('/') + "/");

    /// <summary>
    /// How a statement's lines map onto the ledger. Scattered: line i is for order <c>o{(i * 7919) mod OrderSpace}</c>,
    /// spread over the whole space, at i × 50 ms. <see cref="DayOrdered"/>: the orders' captures spread evenly over the
    /// day (order k at <see cref="CaptureTime"/>), each with its share of consecutive lines, every one a plain capture of
    /// 25.00 EUR, in time order as a gateway lists them. <see cref="MalformedAt"/>: that line index is a broken row.
    /// </summary>
    public sealed record StatementShape(int Lines, int OrderSpace, bool DayOrdered = false, int MalformedAt = -1);

    /// <summary>When order k's capture happens in a <see cref="StatementShape.DayOrdered"/> statement of <paramref name="orderSpace"/> orders.</summary>
    public static DateTimeOffset CaptureTime(DateOnly day, int k, int orderSpace) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).AddMilliseconds(86_400_000.0 * k / orderSpace);

    public static async Task<SyntheticStatementServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new SyntheticStatementServer(app);
        app.MapGet("/v1/statements/{date}", async (string date, HttpContext http) =>
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                || !server.statements.TryGetValue(day, out var shape))
            {
                http.Response.StatusCode = 404;
                return;
            }
            http.Response.ContentType = "text/csv; charset=utf-8";
            await WriteAsync(http.Response.BodyWriter, day, shape, http.RequestAborted);
        });
        // The Stripe connector reconciles too: its account has no movements on the synthetic day.
        app.MapGet("/v1/balance_transactions", () => Results.Json(new { @object = "list", data = Array.Empty<object>(), has_more = false, url = "/v1/balance_transactions" }));
        await app.StartAsync();
        return server;
    }

    public void Register(DateOnly date, StatementShape shape) => statements[date] = shape;

    /// <summary>Line <paramref name="i"/> of a statement; the mix of cases is what the classifier reports back.</summary>
    public static (string PaymentId, string OrderId, string Type, long AmountMinor) Line(int i, int orderSpace)
    {
        var order = (int)((long)i * 7919 % orderSpace);
        var type = i % 200 == 199 ? "refund" : "capture";
        var amount = i % 997 == 0 ? 2600 : 2500;
        return ($"pay-{order}", $"o{order}", type, amount);
    }

    private static (string PaymentId, string OrderId, string Type, long AmountMinor) DayOrderedLine(int i, StatementShape shape)
    {
        var order = (long)i * shape.OrderSpace / shape.Lines;
        return ($"pay-{order}", $"o{order}", "capture", 2500);
    }

    private static async Task WriteAsync(System.IO.Pipelines.PipeWriter output, DateOnly day, StatementShape shape, CancellationToken ct)
    {
        WriteLine(output, Header);
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        for (var i = 0; i < shape.Lines; i++)
        {
            var (paymentId, orderId, type, amount) = shape.DayOrdered ? DayOrderedLine(i, shape) : Line(i, shape.OrderSpace);
            var time = shape.DayOrdered
                ? CaptureTime(day, (int)((long)i * shape.OrderSpace / shape.Lines), shape.OrderSpace).UtcDateTime
                : start.AddMilliseconds(i * 50L % 86_400_000);
            var at = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            WriteLine(output, i == shape.MalformedAt
                ? string.Create(CultureInfo.InvariantCulture, $"{paymentId},{orderId},{type},not-a-number,EUR,{at}")
                : string.Create(CultureInfo.InvariantCulture, $"{paymentId},{orderId},{type},{amount},EUR,{at}"));
            if ((i + 1) % RowsPerFlush == 0)
            {
                await output.FlushAsync(ct);
            }
        }
        await output.FlushAsync(ct);
    }

    private static void WriteLine(IBufferWriter<byte> output, string line)
    {
        Encoding.UTF8.GetBytes(line, output);
        Encoding.UTF8.GetBytes("\n", output);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
