using System.Net;
using System.Text.Json;

namespace GatewaySimulator.Tests;

public sealed class RefundTests
{
    [Fact]
    public async Task Same_idempotency_key_returns_the_same_refund_and_over_refund_is_422()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver);
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-r1", 1000);

        using var first = await client.RefundAsync("pay-r1", "key-1", 400);
        using var replay = await client.RefundAsync("pay-r1", "key-1", 400);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var refund = await first.JsonAsync();
        Assert.StartsWith("re_", refund.GetProperty("refundId").GetString());
        Assert.Equal("pay-r1", refund.GetProperty("paymentId").GetString());
        Assert.Equal(400, refund.GetProperty("amountMinor").GetInt64());
        Assert.Equal("succeeded", refund.GetProperty("status").GetString());
        Assert.Equal(refund.GetProperty("refundId").GetString(), (await replay.JsonAsync()).GetProperty("refundId").GetString());
        Assert.Equal(400, (await client.GetPaymentAsync("pay-r1")).GetProperty("refundedMinor").GetInt64());

        using var tooMuch = await client.RefundAsync("pay-r1", "key-2", 601);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch.StatusCode);

        using var rest = await client.RefundAsync("pay-r1", "key-3", 600);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(1000, (await client.GetPaymentAsync("pay-r1")).GetProperty("refundedMinor").GetInt64());

        // After a full refund a replay still answers with its refund rather than 422.
        using var lateReplay = await client.RefundAsync("pay-r1", "key-1", 400);
        Assert.Equal(HttpStatusCode.OK, lateReplay.StatusCode);

        await server.WaitForDeliveriesAsync(TestSimulator.Patience);
        var refundEvents = receiver.Received
            .Select(w => JsonDocument.Parse(w.Body).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "payment.refunded")
            .Select(e => e.GetProperty("data").GetProperty("amount").GetInt64())
            .ToArray();
        Assert.Equal([400L, 600L], refundEvents);
    }

    [Fact]
    public async Task Refund_preconditions_map_to_400_404_409()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        using var pending = await client.CreatePaymentAsync("pay-r2", 1000);
        await client.CreatePaidPaymentAsync(server, "pay-r3", 1000);

        using var noKey = await client.RefundAsync("pay-r3", idempotencyKey: null, 100);
        using var unknown = await client.RefundAsync("missing", "key-a", 100);
        using var notPaid = await client.RefundAsync("pay-r2", "key-b", 100);
        using var zero = await client.RefundAsync("pay-r3", "key-c", 0);
        using var otherCurrency = await client.RefundAsync("pay-r3", "key-d", 100, "USD");
        using var accepted = await client.RefundAsync("pay-r3", "key-e", 100);
        using var reusedKey = await client.RefundAsync("pay-r3", "key-e", 200);

        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, notPaid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherCurrency.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reusedKey.StatusCode);
        Assert.Equal(100, (await client.GetPaymentAsync("pay-r3")).GetProperty("refundedMinor").GetInt64());
    }
}
