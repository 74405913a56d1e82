using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GatewaySimulator.Tests;

/// <summary>The wire shapes of the simulator's Stripe dialect (the pipeline's connector reads them through Stripe.net).</summary>
public sealed class StripeDialectTests
{
    [Fact]
    public async Task Balance_transactions_come_in_stripe_s_list_envelope_newest_first_paged_by_starting_after()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        foreach (var id in new[] { "pi_l1", "pi_l2", "pi_l3" })
        {
            await client.CreatePaidPaymentAsync(server, id, provider: "stripe");
        }
        await client.CreatePaidPaymentAsync(server, "pay-own", provider: "standard");

        var first = await client.GetFromJsonAsync<JsonElement>("/v1/balance_transactions?limit=2&expand[0]=data.source");
        var last = first.GetProperty("data")[1].GetProperty("id").GetString();
        var second = await client.GetFromJsonAsync<JsonElement>($"/v1/balance_transactions?limit=2&starting_after={last}");

        Assert.Equal(("list", true, "/v1/balance_transactions"), (first.GetProperty("object").GetString(), first.GetProperty("has_more").GetBoolean(), first.GetProperty("url").GetString()));
        Assert.Equal(["pi_l3", "pi_l2"], first.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("source").GetProperty("payment_intent").GetString()));
        var charge = first.GetProperty("data")[0];
        Assert.Equal(("balance_transaction", "charge", "eur", 1000), (charge.GetProperty("object").GetString(), charge.GetProperty("type").GetString(), charge.GetProperty("currency").GetString(), charge.GetProperty("amount").GetInt32()));
        Assert.Equal("charge", charge.GetProperty("source").GetProperty("object").GetString());
        Assert.False(second.GetProperty("has_more").GetBoolean());
        // Not expanded: the source is the charge's id. The simulator's own account is not on Stripe's list.
        Assert.StartsWith("ch_", Assert.Single(second.GetProperty("data").EnumerateArray()).GetProperty("source").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_own_csv_statement_lists_only_the_own_account_s_payments()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pi_csv", provider: "stripe");
        await client.CreatePaidPaymentAsync(server, "pay-csv", provider: "standard");

        var csv = await client.GetStringAsync($"/v1/statements/{DateTime.UtcNow:yyyy-MM-dd}");

        Assert.Contains("pay-csv,", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("pi_csv", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refund_whose_key_is_in_use_is_answered_409_idempotency_key_in_use_and_saves_nothing_for_the_key()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pi_busy", 1200, provider: "stripe");
        using (var scripted = await client.PostAsJsonAsync("/sim/payments/pi_busy/refund-faults", new { inFlight = 1 }))
        {
            Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
        }
        async Task<HttpResponseMessage> RefundAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/refunds")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["payment_intent"] = "pi_busy", ["amount"] = "700" }),
            };
            request.Headers.Add("Idempotency-Key", "busy-key");
            return await client.SendAsync(request);
        }

        using var busy = await RefundAsync();
        var error = (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal(("idempotency_error", "idempotency_key_in_use"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
        Assert.Empty(server.RefundsOf("pi_busy"));

        // Asked again later with the same key: executed now, not replayed as the 409.
        using var later = await RefundAsync();
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Equal(700, Assert.Single(server.RefundsOf("pi_busy")).AmountMinor);
    }

    [Fact]
    public async Task Errors_are_stripe_error_objects_and_a_refund_key_replays_its_refund()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        await client.CreatePaidPaymentAsync(server, "pi_rf", 1200, provider: "stripe");

        using var missing = await client.GetAsync("/v1/payment_intents/pi_nope");
        var error = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(("invalid_request_error", "resource_missing"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));

        async Task<JsonElement> RefundAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/refunds")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["payment_intent"] = "pi_rf", ["amount"] = "700" }),
            };
            request.Headers.Add("Idempotency-Key", "rf-key");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var first = await RefundAsync();
        var second = await RefundAsync();
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(("refund", "pi_rf", 700), (first.GetProperty("object").GetString(), first.GetProperty("payment_intent").GetString(), first.GetProperty("amount").GetInt32()));
        Assert.Single(server.RefundsOf("pi_rf"));

        using var cancel = await client.PostAsync("/v1/payment_intents/pi_rf/cancel", null);
        var refused = (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
        Assert.Equal("payment_intent_unexpected_state", refused.GetProperty("code").GetString());
        Assert.Equal(("succeeded", 1200), (refused.GetProperty("payment_intent").GetProperty("status").GetString(), refused.GetProperty("payment_intent").GetProperty("amount_received").GetInt32()));
    }
}
