using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Input crafted to break the arithmetic or the storage underneath gets a clear 4xx and stores
/// nothing, never a 500: overflowing timestamps, ids with a trailing newline or with characters a
/// Table key forbids, in bodies and in route values.
/// </summary>
public sealed class BadInputTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private Uri Host => Pipeline.Host.BaseAddress;

    private async Task<List<InboxEntry>> InboxRowsAsync(Func<InboxEntry, bool> match) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(match).ToList();

    /// <summary>
    /// Timestamps t with now - t = long.MinValue (|now - t| overflows), around the server's now, and the extremes.
    /// </summary>
    private static IEnumerable<long> OverflowingTimestamps()
    {
        var now = TestWebhooks.Now;
        return Enumerable.Range(-3, 7).Select(k => unchecked(long.MinValue + now + k)).Append(long.MinValue).Append(long.MaxValue);
    }

    [Fact]
    public async Task A_stripe_timestamp_that_overflows_the_tolerance_arithmetic_is_401_and_nothing_is_stored()
    {
        foreach (var t in OverflowingTimestamps())
        {
            var body = TestWebhooks.StripePaymentIntent("evt_overflow", "payment_intent.succeeded", "pi_o", "o", 100);
            using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body, timestamp: t));

            Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        }
        Assert.Empty(await InboxRowsAsync(e => e.EventId == "evt_overflow"));
    }

    [Fact]
    public async Task A_standard_timestamp_that_overflows_the_tolerance_arithmetic_is_401_and_nothing_is_stored()
    {
        foreach (var t in OverflowingTimestamps())
        {
            var body = TestWebhooks.StandardPayment("payment.succeeded", "pay-o", "o", 100);
            using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_overflow", body, timestamp: t));

            Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        }
        Assert.Empty(await InboxRowsAsync(e => e.EventId == "msg_overflow"));
    }

    public static TheoryData<string, string, string> TrailingNewlineIds => new()
    {
        { "evt_nl1\n", "o-nl1", "id" },
        { "evt_nl2", "o-nl2\n", "data.object.metadata.order_id" },
    };

    [Theory]
    [MemberData(nameof(TrailingNewlineIds))]
    public async Task A_stripe_id_with_a_trailing_newline_is_400_naming_the_field_and_nothing_is_stored(string eventId, string orderId, string field)
    {
        var body = TestWebhooks.StripePaymentIntent(eventId, "payment_intent.succeeded", "pi_nl", orderId, 100);

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Contains(problem.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith(field + ":", StringComparison.Ordinal));
        Assert.Empty(await InboxRowsAsync(e => e.EventId.StartsWith(eventId.TrimEnd('\n'), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_standard_payment_id_or_currency_with_a_trailing_newline_is_400_and_nothing_is_stored()
    {
        var body = TestWebhooks.StandardPayment("payment.succeeded", "pay-nl\n", "o-nl3", 100, currency: "EUR\n");

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_nl3", body));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var errors = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Contains(errors, e => e.StartsWith("data.payment_id:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("data.currency:", StringComparison.Ordinal));
        Assert.Empty(await InboxRowsAsync(e => e.EventId == "msg_nl3"));
    }

    public static TheoryData<string, string> OrdersWithBadIds => new()
    {
        { "orderId", "ord-nl\n" },
        { "paymentId", "pay-nl\n" },
        { "customerId", "cust\n" },
        { "lines[0].sku", "sku-nl\n" },
        { "orderId", "ord#1" },
        { "orderId", "ord/1" },
        { "orderId", "ord\\1" },
        { "orderId", "ord?1" },
        { "orderId", "ord\u00071" },
    };

    [Theory]
    [MemberData(nameof(OrdersWithBadIds))]
    public async Task An_order_with_an_id_a_table_key_cannot_hold_is_400_naming_it_and_stores_nothing(string field, string value)
    {
        var orderId = field == "orderId" ? value : "ord-badfield-" + field.Length;
        var order = new OrderRequest(orderId, field == "customerId" ? value : "cust1",
            [new OrderLine(field == "lines[0].sku" ? value : "sku-bad", 1)], 100, "EUR", "standard", field == "paymentId" ? value : "pay-bad");

        using var reply = await Pipeline.Http.PostAsJsonAsync("api/orders", order);

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var errors = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!);
        Assert.Contains(errors, e => e.StartsWith(field + ":", StringComparison.Ordinal));
        Assert.Empty(await Collect.AllAsync(Pipeline.Durable.GetAllInstancesAsync(new() { InstanceIdPrefix = OrderSaga.InstanceId(orderId.TrimEnd('\n')) })));
    }

    /// <summary>Escaped as a client would send them; the host decodes all but %2F before routing.</summary>
    public static TheoryData<string> BadRouteValues => new() { "a%23b", "a%3Fb", "a%5Cb", "a%2Fb", "a%0A", "a%0Ab", "a%7Fb", new string('x', 2000) };

    [Theory]
    [MemberData(nameof(BadRouteValues))]
    public async Task A_route_value_a_table_key_cannot_hold_is_a_clear_4xx(string value)
    {
        using var order = await Pipeline.Http.GetAsync($"api/orders/{value}");
        using var refund = await Pipeline.Http.PostAsync($"api/ops/refunds/{value}/retry", null);
        using var stock = await Pipeline.Http.PutAsJsonAsync($"api/ops/stock/{value}", new { available = 3 });
        using var redrive = await Pipeline.Http.PostAsync($"api/ops/dead-letters/{value}/redrive", null);
        using var discard = await Pipeline.Http.PostAsJsonAsync($"api/ops/dead-letters/{value}/discard", new { reason = "test" });

        Assert.Equal(
            (HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict),
            (order.StatusCode, refund.StatusCode, stock.StatusCode, redrive.StatusCode, discard.StatusCode));
    }

    [Fact]
    public async Task A_signature_header_too_long_to_be_a_signature_is_401_and_nothing_is_stored()
    {
        var body = TestWebhooks.StripePaymentIntent("evt_long_header", "payment_intent.payment_failed", "pi_lh", "lh", 100);
        var request = TestWebhooks.Stripe(Host, body);
        var signature = request.Headers.GetValues("Stripe-Signature").Single();
        request.Headers.Remove("Stripe-Signature");
        // A valid signature, padded with what JSON escapes six-fold ('+' is "\u002B"): the stored header text would outgrow a Table string property.
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature + ",v0=" + new string('+', 24 * 1024));

        using var reply = await Pipeline.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Empty(await InboxRowsAsync(e => e.EventId == "evt_long_header"));
    }

    [Fact]
    public async Task A_body_as_large_as_the_inbox_can_store_is_stored_whole()
    {
        var body = JsonSerializer.Serialize(new { id = "evt_max_body", @object = "event", type = "customer.created", created = TestWebhooks.Now });
        body = body[..^1] + new string(' ', InboxStore.MaxBodyBytes - Encoding.UTF8.GetByteCount(body)) + "}";
        Assert.Equal(InboxStore.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(InboxStore.MaxBodyBytes, Assert.Single(await InboxRowsAsync(e => e.EventId == "evt_max_body")).Body.Length);
    }
}
