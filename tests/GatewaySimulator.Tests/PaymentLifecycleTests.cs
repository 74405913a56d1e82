using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace GatewaySimulator.Tests;

public sealed class PaymentLifecycleTests
{
    [Fact]
    public async Task Payment_goes_from_pending_to_paid_and_closing_rules_hold()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);

        using var created = await client.CreatePaymentAsync("pay-1", 2500, "eur", orderId: "order-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("EUR", body.GetProperty("currency").GetString());

        using var repeated = await client.CreatePaymentAsync("pay-1", 2500, orderId: "order-1");
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal("pay-1", (await repeated.JsonAsync()).GetProperty("paymentId").GetString());
        Assert.Single(server.Payments);

        using var paid = await client.PostAsync("/sim/payments/pay-1/pay", content: null);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);

        var payment = await client.GetPaymentAsync("pay-1");
        Assert.Equal("paid", payment.GetProperty("status").GetString());
        Assert.Equal("order-1", payment.GetProperty("orderId").GetString());
        Assert.Equal("standard", payment.GetProperty("provider").GetString());
        Assert.Equal(2500, payment.GetProperty("amountMinor").GetInt64());
        Assert.Equal(2500, payment.GetProperty("paidAmountMinor").GetInt64());
        Assert.Equal(0, payment.GetProperty("refundedMinor").GetInt64());
        Assert.NotNull(payment.GetProperty("paidAt").GetString());

        using var closePaid = await client.PostAsync("/v1/payments/pay-1/close", content: null);
        Assert.Equal(HttpStatusCode.Conflict, closePaid.StatusCode);
        var conflict = await closePaid.JsonAsync();
        Assert.Equal("paid", conflict.GetProperty("status").GetString());
        Assert.Equal(2500, conflict.GetProperty("paidAmountMinor").GetInt64());
        Assert.Equal("EUR", conflict.GetProperty("currency").GetString());

        using var secondCreated = await client.CreatePaymentAsync("pay-2");
        using var closePending = await client.PostAsync("/v1/payments/pay-2/close", content: null);
        Assert.Equal(HttpStatusCode.OK, closePending.StatusCode);
        Assert.Equal("closed", (await closePending.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal("closed", (await client.GetPaymentAsync("pay-2")).GetProperty("status").GetString());

        using var closeAgain = await client.PostAsync("/v1/payments/pay-2/close", content: null);
        Assert.Equal(HttpStatusCode.OK, closeAgain.StatusCode);

        using var payClosed = await client.PostAsync("/sim/payments/pay-2/pay", content: null);
        Assert.Equal(HttpStatusCode.Conflict, payClosed.StatusCode);
        var thrown = await Assert.ThrowsAsync<HttpRequestException>(() => server.PayAsync("pay-2"));
        Assert.Equal(HttpStatusCode.Conflict, thrown.StatusCode);

        using var payTwice = await client.PostAsync("/sim/payments/pay-1/pay", content: null);
        Assert.Equal(HttpStatusCode.Conflict, payTwice.StatusCode);
    }

    [Fact]
    public async Task Unknown_payments_answer_404()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);

        using var get = await client.GetAsync("/v1/payments/missing");
        using var close = await client.PostAsync("/v1/payments/missing/close", content: null);
        using var pay = await client.PostAsync("/sim/payments/missing/pay", content: null);
        using var fail = await client.PostAsync("/sim/payments/missing/fail", content: null);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, close.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, pay.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, fail.StatusCode);
        var thrown = await Assert.ThrowsAsync<HttpRequestException>(() => server.FailAsync("missing"));
        Assert.Equal(HttpStatusCode.NotFound, thrown.StatusCode);
    }

    [Theory]
    [InlineData("""{"orderId":"o","amountMinor":100,"currency":"EUR","provider":"standard"}""")]
    [InlineData("""{"paymentId":"p","orderId":"o","amountMinor":0,"currency":"EUR","provider":"standard"}""")]
    [InlineData("""{"paymentId":"p","orderId":"o","amountMinor":100,"currency":"EURO","provider":"standard"}""")]
    [InlineData("""{"paymentId":"p","orderId":"o","amountMinor":100,"currency":"EUR","provider":"paypal"}""")]
    [InlineData("""{"paymentId":"p","amountMinor":100,"currency":"EUR","provider":"stripe"}""")]
    [InlineData("""{"paymentId":"p","orderId":"o","amountMinor":"a lot","currency":"EUR","provider":"stripe"}""")]
    [InlineData("""not json""")]
    public async Task Invalid_create_bodies_answer_400(string json)
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);

        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/payments", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(server.Payments);
    }

    [Fact]
    public async Task Failed_payment_can_still_be_paid_with_a_different_amount_and_currency()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        using var created = await client.CreatePaymentAsync("pay-3", 1000, "EUR");

        using var failed = await client.PostAsync("/sim/payments/pay-3/fail", content: null);
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Equal("failed", (await client.GetPaymentAsync("pay-3")).GetProperty("status").GetString());
        Assert.Equal(0, (await client.GetPaymentAsync("pay-3")).GetProperty("paidAmountMinor").GetInt64());

        using var paid = await client.PostAsJsonAsync("/sim/payments/pay-3/pay", new { amountMinor = 900, currency = "usd" });
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);

        var payment = await client.GetPaymentAsync("pay-3");
        Assert.Equal("paid", payment.GetProperty("status").GetString());
        Assert.Equal(1000, payment.GetProperty("amountMinor").GetInt64());
        Assert.Equal(900, payment.GetProperty("paidAmountMinor").GetInt64());
        Assert.Equal("USD", payment.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Api_key_is_required_on_v1_only_when_configured()
    {
        await using var server = await TestSimulator.StartAsync(configure: o => o with { ApiKey = "sk_test_123" });
        using var client = TestSimulator.ClientFor(server);

        using var anonymous = await client.CreatePaymentAsync("pay-4");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var wrongKey = await client.GetAsync("/v1/payments/pay-4");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_123");
        using var authorized = await client.CreatePaymentAsync("pay-4");
        Assert.Equal(HttpStatusCode.Created, authorized.StatusCode);

        client.DefaultRequestHeaders.Authorization = null;
        using var control = await client.PostAsync("/sim/payments/pay-4/pay", content: null);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
    }

    [Fact]
    public async Task Api_error_rate_answers_503_on_v1_and_leaves_the_control_api_alone()
    {
        await using var server = await TestSimulator.StartAsync(configure: o => o with { ApiErrorRate = 1 });
        using var client = TestSimulator.ClientFor(server);

        using var create = await client.CreatePaymentAsync("pay-5");
        using var get = await client.GetAsync("/v1/payments/pay-5");
        using var stats = await client.GetAsync("/sim/stats");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(2, (await stats.JsonAsync()).GetProperty("apiErrorsInjected").GetInt64());
        Assert.Empty(server.Payments);
    }

    [Fact]
    public async Task Api_timeout_rate_stalls_then_answers_503()
    {
        await using var server = await TestSimulator.StartAsync(configure: o => o with { ApiTimeoutRate = 1, ApiTimeout = TimeSpan.FromMilliseconds(200) });
        using var client = TestSimulator.ClientFor(server);

        using var create = await client.CreatePaymentAsync("pay-6");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Equal(1, server.Stats.ApiTimeoutsInjected);
        Assert.Equal(1, server.Stats.ApiErrorsInjected);
    }
}
