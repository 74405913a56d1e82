using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GatewaySimulator.Tests;

/// <summary><c>POST /sim/payments/{id}/dispute</c>: the customer disputes a paid payment, and the dialect announces each step, signed as it signs.</summary>
public sealed class DisputeTests
{
    private const string StripeSecret = "whsec_test_stripe_secret_for_disputes";

    [Fact]
    public async Task A_lost_stripe_dispute_sends_created_funds_withdrawn_and_closed_lost_with_the_dispute_as_the_object()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver, o => o with { StripeSecret = StripeSecret });
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pi_dp1", 5000, provider: "stripe", orderId: "order-dp1");
        await receiver.WaitForAsync(1);

        using var reply = await client.PostAsJsonAsync("/sim/payments/pi_dp1/dispute", new { outcome = "lost", amountMinor = 2000 });

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var dispute = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disputeId").GetString()!;
        Assert.StartsWith("dp_", dispute, StringComparison.Ordinal);
        var webhooks = (await receiver.WaitForAsync(4)).Skip(1).ToArray();
        await server.WaitForDeliveriesAsync(TestSimulator.Patience);
        var events = webhooks.Select(w => JsonDocument.Parse(w.Body).RootElement).ToArray();
        Assert.Equal(["charge.dispute.closed", "charge.dispute.created", "charge.dispute.funds_withdrawn"], events.Select(e => e.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        foreach (var webhook in webhooks)
        {
            var header = webhook.Header("Stripe-Signature").Split(',').Select(part => part.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
            var signed = Encoding.UTF8.GetBytes(header["t"] + ".").Concat(webhook.Body).ToArray();
            Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeSecret), signed)), header["v1"]);
        }
        var closed = events.Single(e => e.GetProperty("type").GetString() == "charge.dispute.closed").GetProperty("data").GetProperty("object");
        Assert.Equal(("dispute", dispute, "pi_dp1", 2000, "eur", "lost"), (closed.GetProperty("object").GetString(), closed.GetProperty("id").GetString(),
            closed.GetProperty("payment_intent").GetString(), closed.GetProperty("amount").GetInt32(), closed.GetProperty("currency").GetString(), closed.GetProperty("status").GetString()));
        Assert.Equal(-2000, closed.GetProperty("balance_transactions").EnumerateArray().Sum(t => t.GetProperty("amount").GetInt32()));
        Assert.Equal("lost", Assert.Single(server.Disputes).Status);
    }

    [Fact]
    public async Task A_won_adyen_dispute_sends_notification_chargeback_and_chargeback_reversed_under_one_psp_reference_each_signed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestSimulator.StartAsync(receiver);
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "ADYPAY0000000001", 1500, provider: "adyen", orderId: "order-dp2");
        await receiver.WaitForAsync(1);

        var dispute = server.Dispute("ADYPAY0000000001", "won");

        var items = (await receiver.WaitForAsync(4)).Skip(1)
            .Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("notificationItems")[0].GetProperty("NotificationRequestItem")).ToArray();
        Assert.Equal(["CHARGEBACK", "CHARGEBACK_REVERSED", "NOTIFICATION_OF_CHARGEBACK"], items.Select(i => i.GetProperty("eventCode").GetString()).Order(StringComparer.Ordinal));
        var key = Convert.FromHexString(server.ConnectorSettings()["Connectors:Adyen:HmacKeys"]!);
        foreach (var item in items)
        {
            Assert.Equal((dispute.DisputeId, "ADYPAY0000000001", "order-dp2"),
                (item.GetProperty("pspReference").GetString(), item.GetProperty("originalReference").GetString(), item.GetProperty("merchantReference").GetString()));
            var signed = string.Join(':', dispute.DisputeId, "ADYPAY0000000001", item.GetProperty("merchantAccountCode").GetString(), "order-dp2",
                item.GetProperty("amount").GetProperty("value").GetInt64().ToString(CultureInfo.InvariantCulture), "EUR", item.GetProperty("eventCode").GetString(), "true");
            Assert.Equal(Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed))), item.GetProperty("additionalData").GetProperty("hmacSignature").GetString());
        }
        Assert.Equal(("won", 1500L, 16), (dispute.Status, dispute.AmountMinor, dispute.DisputeId.Length));
    }

    [Fact]
    public async Task A_dispute_of_an_unknown_unpaid_or_undisputable_payment_or_with_a_bad_body_is_refused()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        using (await client.CreatePaymentAsync("pi_unpaid", 800, provider: "stripe"))
        {
        }
        await client.CreatePaidPaymentAsync(server, "pay-std", 800);
        await client.CreatePaidPaymentAsync(server, "pi_paid", 800, provider: "stripe");

        async Task<HttpStatusCode> DisputeAsync(string paymentId, object body)
        {
            using var reply = await client.PostAsJsonAsync($"/sim/payments/{paymentId}/dispute", body);
            return reply.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NotFound, await DisputeAsync("pi_none", new { outcome = "lost" }));
        Assert.Equal(HttpStatusCode.Conflict, await DisputeAsync("pi_unpaid", new { outcome = "lost" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await DisputeAsync("pay-std", new { outcome = "lost" }));
        Assert.Equal(HttpStatusCode.BadRequest, await DisputeAsync("pi_paid", new { outcome = "maybe" }));
        Assert.Equal(HttpStatusCode.BadRequest, await DisputeAsync("pi_paid", new { outcome = "lost", amountMinor = 801 }));
        Assert.Equal(HttpStatusCode.BadRequest, await DisputeAsync("pi_paid", new { amountMinor = 100 }));
        Assert.Empty(server.Disputes);
    }
}
