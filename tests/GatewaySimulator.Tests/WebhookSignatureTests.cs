using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GatewaySimulator.Tests;

/// <summary>Verifies webhooks the way a receiver would, from the published schemes, without the simulator's signer.</summary>
public sealed partial class WebhookSignatureTests
{
    private static readonly byte[] StandardKey = Enumerable.Range(1, 24).Select(i => (byte)(i * 7)).ToArray();
    private static readonly string StandardSecret = "whsec_" + Convert.ToBase64String(StandardKey);
    private const string StripeSecret = "whsec_test_stripe_secret_for_tests";

    [Fact]
    public async Task Standard_webhooks_verify_and_carry_the_payment_fields()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { StandardSecret = StandardSecret });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pay-w1", 4200, orderId: "order-w1");
        using var refund = await client.RefundAsync("pay-w1", "key-w1", 200);
        using var other = await client.CreatePaymentAsync("pay-w2", 999, "sek");
        await server.FailAsync("pay-w2");

        var webhooks = await receiver.WaitForAsync(3);
        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        foreach (var webhook in webhooks)
        {
            Assert.Equal("standard", webhook.Provider);
            Assert.StartsWith("application/json", webhook.Header("Content-Type"));
            Assert.Matches(StandardIdPattern(), webhook.Header("webhook-id"));
            var timestamp = long.Parse(webhook.Header("webhook-timestamp"), CultureInfo.InvariantCulture);
            Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());

            var signedContent = Encoding.UTF8.GetBytes($"{webhook.Header("webhook-id")}.{timestamp}.").Concat(webhook.Body).ToArray();
            var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(StandardKey, signedContent));
            Assert.Contains(expected, webhook.Header("webhook-signature").Split(' '));
        }

        var events = webhooks.Select(w => JsonDocument.Parse(w.Body).RootElement).ToArray();
        var succeeded = Assert.Single(events, e => e.GetProperty("type").GetString() == "payment.succeeded");
        Assert.True(succeeded.GetProperty("timestamp").TryGetDateTimeOffset(out _));
        var data = succeeded.GetProperty("data");
        Assert.Equal("pay-w1", data.GetProperty("payment_id").GetString());
        Assert.Equal("order-w1", data.GetProperty("order_id").GetString());
        Assert.Equal(4200, data.GetProperty("amount").GetInt64());
        Assert.Equal("EUR", data.GetProperty("currency").GetString());

        var refunded = Assert.Single(events, e => e.GetProperty("type").GetString() == "payment.refunded");
        Assert.Equal(200, refunded.GetProperty("data").GetProperty("amount").GetInt64());

        var failed = Assert.Single(events, e => e.GetProperty("type").GetString() == "payment.failed");
        Assert.Equal("pay-w2", failed.GetProperty("data").GetProperty("payment_id").GetString());
        Assert.Equal(999, failed.GetProperty("data").GetProperty("amount").GetInt64());
        Assert.Equal("SEK", failed.GetProperty("data").GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Stripe_webhooks_verify_and_are_stripe_event_objects()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { StripeSecret = StripeSecret });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pi_w3", 5000, provider: "stripe", orderId: "order-w3");
        using var refund = await client.RefundAsync("pi_w3", "key-w3", 5000);
        using var other = await client.CreatePaymentAsync("pi_w4", 700, provider: "stripe");
        await server.FailAsync("pi_w4");

        var webhooks = await receiver.WaitForAsync(3);
        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        foreach (var webhook in webhooks)
        {
            Assert.Equal("stripe", webhook.Provider);
            var header = webhook.Header("Stripe-Signature").Split(',').Select(part => part.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
            var signedPayload = Encoding.UTF8.GetBytes(header["t"] + ".").Concat(webhook.Body).ToArray();
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeSecret), signedPayload));
            Assert.Equal(expected, header["v1"]);

            var root = JsonDocument.Parse(webhook.Body).RootElement;
            Assert.Matches(StripeEventIdPattern(), root.GetProperty("id").GetString());
            Assert.Equal("event", root.GetProperty("object").GetString());
            Assert.Equal("2026-10-28.endive", root.GetProperty("api_version").GetString());
            Assert.False(root.GetProperty("livemode").GetBoolean());
            Assert.True(root.GetProperty("created").GetInt64() > 0);
        }

        var objects = webhooks
            .Select(w => JsonDocument.Parse(w.Body).RootElement)
            .ToDictionary(e => e.GetProperty("type").GetString()!, e => e.GetProperty("data").GetProperty("object"));

        var intent = objects["payment_intent.succeeded"];
        Assert.Equal("pi_w3", intent.GetProperty("id").GetString());
        Assert.Equal("payment_intent", intent.GetProperty("object").GetString());
        Assert.Equal(5000, intent.GetProperty("amount").GetInt64());
        Assert.Equal(5000, intent.GetProperty("amount_received").GetInt64());
        Assert.Equal("eur", intent.GetProperty("currency").GetString());
        Assert.Equal("succeeded", intent.GetProperty("status").GetString());
        Assert.Equal("order-w3", intent.GetProperty("metadata").GetProperty("order_id").GetString());

        var charge = objects["charge.refunded"];
        Assert.StartsWith("ch_", charge.GetProperty("id").GetString());
        Assert.Equal("charge", charge.GetProperty("object").GetString());
        Assert.Equal("pi_w3", charge.GetProperty("payment_intent").GetString());
        Assert.Equal(5000, charge.GetProperty("amount").GetInt64());
        Assert.Equal(5000, charge.GetProperty("amount_refunded").GetInt64());
        Assert.True(charge.GetProperty("refunded").GetBoolean());
        Assert.Equal("order-w3", charge.GetProperty("metadata").GetProperty("order_id").GetString());

        var failed = objects["payment_intent.payment_failed"];
        Assert.Equal("pi_w4", failed.GetProperty("id").GetString());
        Assert.Equal(700, failed.GetProperty("amount").GetInt64());
        Assert.Equal(0, failed.GetProperty("amount_received").GetInt64());
        Assert.Equal("requires_payment_method", failed.GetProperty("status").GetString());
    }

    [GeneratedRegex("^msg_[0-9a-f]{32}$")]
    private static partial Regex StandardIdPattern();

    [GeneratedRegex("^evt_[A-Za-z0-9]{24}$")]
    private static partial Regex StripeEventIdPattern();
}
