using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The operator's <c>PUT /api/ops/stock/{sku}</c> adjusts what is available, never what orders hold.</summary>
public sealed class StockAdjustmentTests(SagaPathFixture fixture) : IClassFixture<SagaPathFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private StockLedger Stock => Pipeline.Service<StockLedger>();

    [Fact]
    public async Task Setting_the_level_keeps_reservations_and_a_later_release_neither_goes_negative_nor_oversells()
    {
        await PutAsync("sku-adj", 10);
        var held = new StockRequest("adj-held", [new OrderLine("sku-adj", 4)]);
        var sold = new StockRequest("adj-sold", [new OrderLine("sku-adj", 3)]);
        Assert.Equal(ReserveResult.Reserved, await Stock.ReserveAsync(held));
        Assert.Equal(ReserveResult.Reserved, await Stock.ReserveAsync(sold));
        Assert.Equal(CommitResult.Committed, await Stock.CommitAsync(sold));

        // The operator counts the shelf: 1 left for new orders.
        var (level, _) = await PutAsync("sku-adj", 1);
        Assert.Equal(new StockLevel("sku-adj", 1, 4, 3), level);

        await Stock.ReleaseAsync(held);
        Assert.Equal(new StockLevel("sku-adj", 5, 0, 3), await Stock.GetLevelAsync("sku-adj"));
        Assert.Equal(ReserveResult.OutOfStock, await Stock.ReserveAsync(new StockRequest("adj-too-many", [new OrderLine("sku-adj", 6)])));
        Assert.Equal(ReserveResult.Reserved, await Stock.ReserveAsync(new StockRequest("adj-fits", [new OrderLine("sku-adj", 5)])));
        Assert.Equal(new StockLevel("sku-adj", 0, 5, 3), await Stock.GetLevelAsync("sku-adj"));
    }

    [Fact]
    public async Task A_put_with_a_stale_etag_is_refused_and_a_current_one_applies()
    {
        var (_, etag) = await PutAsync("sku-etag", 20);
        Assert.Equal(ReserveResult.Reserved, await Stock.ReserveAsync(new StockRequest("etag-order", [new OrderLine("sku-etag", 2)])));

        using var stale = await SendPutAsync("sku-etag", 50, etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(new StockLevel("sku-etag", 18, 2, 0), await Stock.GetLevelAsync("sku-etag"));

        using var read = await Pipeline.Http.GetAsync("api/ops/stock/sku-etag");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var current = await SendPutAsync("sku-etag", 50, read.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(new StockLevel("sku-etag", 50, 2, 0), await Stock.GetLevelAsync("sku-etag"));
    }

    [Fact]
    public async Task Puts_racing_reserves_and_releases_lose_no_reservation()
    {
        await PutAsync("sku-busy", 1_000);
        var orders = Enumerable.Range(0, 24).Select(i => new StockRequest($"busy{i}", [new OrderLine("sku-busy", 1 + i % 4)])).ToArray();
        var work = orders.Select(o => Task.Run(async () =>
        {
            await Stock.ReserveAsync(o);
            if (o.OrderId.EndsWith('0') || o.OrderId.EndsWith('5'))
            {
                await Stock.ReleaseAsync(o);
            }
        })).Concat(Enumerable.Range(0, 6).Select(i => Task.Run(() => PutAsync("sku-busy", 500 + i))));
        await Task.WhenAll(work);

        var level = (await Stock.GetLevelAsync("sku-busy"))!;
        var rows = (await Collect.AllAsync(Stock.ListReservationsAsync())).Where(r => r.Sku == "sku-busy").ToArray();
        Assert.Equal(rows.Where(r => r.State == ReservationState.Reserved).Sum(r => r.Quantity), level.Reserved);
        Assert.Equal(0, level.Committed);
        Assert.True(level.Available >= 0);
    }

    private async Task<(StockLevel Level, string ETag)> PutAsync(string sku, long available)
    {
        using var reply = await SendPutAsync(sku, available, ifMatch: null);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        return ((await reply.Content.ReadFromJsonAsync<StockLevel>(JsonSerializerOptions.Web))!, reply.Headers.ETag!.ToString());
    }

    private async Task<HttpResponseMessage> SendPutAsync(string sku, long available, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/ops/stock/{sku}") { Content = JsonContent.Create(new { available }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await Pipeline.Http.SendAsync(request);
    }
}
