using System.Net;
using System.Text.Json;
using System.Text;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class IntakeFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("intake");
}

/// <summary>The callback endpoint over real HTTP: every refusal code, and idempotent acceptance.</summary>
public sealed class IntakeTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;
    private Uri Host => Pipeline.Host.BaseAddress;

    private async Task<List<InboxEntry>> InboxRowsAsync(string eventId) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(e => e.EventId == eventId).ToList();

    [Fact]
    public async Task The_same_callback_posted_five_times_concurrently_is_applied_once()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-dup", 10);
        var order = await Pipeline.RegisterOrderAsync("dup5", amount: 7000, sku: "sku-dup", quantity: 2);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        var body = TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, 7000);

        var replies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_dup5", body))));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Single(await InboxRowsAsync("msg_dup5"));
        Assert.Equal(new StockLevel("sku-dup", 8, 0, 2), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-dup"));
        var grants = await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListGrantsAsync());
        Assert.Single(grants, g => g.OrderId == order.OrderId);
        Assert.Equal(70, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
    }

    [Fact]
    public async Task A_stripe_payment_intent_succeeded_event_completes_the_order()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-stripe", 3);
        var order = await Pipeline.RegisterOrderAsync("stripe1", amount: 1234, sku: "sku-stripe", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);

        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var row = Assert.Single((await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())), e => e.Event?.OrderId == order.OrderId);
        // Handed to a running saga: raised, not yet confirmed settled, until the relay's second look.
        Assert.Equal(("stripe", InboxState.Raised, PaymentEventKind.Succeeded, 1234L, "EUR"),
            (row.Provider, row.State, row.Event!.Kind, row.Event.AmountMinor, row.Event.Currency));
        Assert.True(row.SignatureHeaders.ContainsKey("Stripe-Signature"));
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync(row.Provider, row.EventId))!.State);
    }

    [Fact]
    public async Task The_inbox_keeps_the_raw_body_bytes_and_signature_headers_exactly_as_received()
    {
        // Unusual but valid JSON spacing: re-serializing would change these bytes and break the signature.
        var body = "{ \"type\" : \"payment.succeeded\",\"timestamp\":\"2026-11-25T10:00:00Z\",  \"data\":{\"payment_id\":\"pay-raw\",\"order_id\":\"raw1\",\"amount\":5,\"currency\":\"eur\"}}";
        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_raw", body));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var row = Assert.Single(await InboxRowsAsync("msg_raw"));
        Assert.Equal(Encoding.UTF8.GetBytes(body), row.Body);
        Assert.Equal(["webhook-id", "webhook-signature", "webhook-timestamp"], row.SignatureHeaders.Keys.Order());
        Assert.Equal(InboxState.Queued, row.State); // its order is unknown yet: it rides the retry lane
        var replay = new WebhookRequest("standard", row.SignatureHeaders, row.Body);
        Assert.True(Pipeline.Service<ProviderRegistry>().Find("standard")!.Verify(replay, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task An_unknown_stripe_event_type_is_acknowledged_stored_and_ignored()
    {
        var body = JsonSerializer.Serialize(new { id = "evt_customer_1", @object = "event", type = "customer.created", created = TestWebhooks.Now, data = new { @object = new { id = "cus_1" } } });

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var row = Assert.Single(await InboxRowsAsync("evt_customer_1"));
        Assert.Equal((InboxState.Ignored, "customer.created"), (row.State, row.EventType));
    }

    [Fact]
    public async Task A_duplicate_is_answered_200_with_the_providers_acknowledgement()
    {
        var body = TestWebhooks.StandardPayment("payment.failed", "pay-x", "nosuchorder", 100);
        using var first = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_twice", body));
        using var second = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_twice", body));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal("{\"received\":true}", await second.Content.ReadAsStringAsync());
        Assert.Single(await InboxRowsAsync("msg_twice"));
    }

    [Fact]
    public async Task Unknown_provider_is_404_and_nothing_is_stored()
    {
        var request = TestWebhooks.Standard(Host, "msg_unknown_provider", TestWebhooks.StandardPayment("payment.succeeded", "p", "o", 1));
        request.RequestUri = new Uri(Host, "api/callbacks/nosuchgateway");

        using var reply = await Pipeline.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        Assert.Empty(await InboxRowsAsync("msg_unknown_provider"));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_nothing_is_stored()
    {
        var padding = new string(' ', 64 * 1024);
        var body = "{\"type\":\"payment.succeeded\",\"data\":{}" + padding + "}";

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_large", body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.StatusCode);
        Assert.Empty(await InboxRowsAsync("msg_large"));
    }

    public static TheoryData<string> BadSignatures => new() { "tampered", "wrong_secret", "stale", "future", "missing" };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task A_bad_signature_or_timestamp_is_401_with_no_detail_and_nothing_is_stored(string defect)
    {
        var eventId = "msg_bad_" + defect;
        var body = TestWebhooks.StandardPayment("payment.succeeded", "pay-bad", "bad", 100);
        var request = defect switch
        {
            "wrong_secret" => TestWebhooks.Standard(Host, eventId, body, key: Encoding.UTF8.GetBytes("not-the-secret")),
            "stale" => TestWebhooks.Standard(Host, eventId, body, timestamp: TestWebhooks.Now - 301),
            "future" => TestWebhooks.Standard(Host, eventId, body, timestamp: TestWebhooks.Now + 301),
            _ => TestWebhooks.Standard(Host, eventId, body),
        };
        if (defect == "tampered")
        {
            request.Content = new StringContent(body.Replace("100", "900"), Encoding.UTF8, "application/json");
        }
        if (defect == "missing")
        {
            request.Headers.Remove("webhook-signature");
        }

        using var reply = await Pipeline.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Equal("", await reply.Content.ReadAsStringAsync());
        Assert.Empty(await InboxRowsAsync(eventId));
    }

    [Fact]
    public async Task A_callback_signed_with_the_previous_secret_during_rotation_is_accepted()
    {
        var body = TestWebhooks.StandardPayment("payment.failed", "pay-rot", "rot", 100);
        using var standard = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, "msg_rotated", body, key: TestWebhooks.StandardOldKey));
        var stripeBody = TestWebhooks.StripePaymentIntent("evt_rotated", "payment_intent.payment_failed", "pi_rot", "rot", 100);
        using var stripe = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, stripeBody, secret: TestWebhooks.StripeOldSecret));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (standard.StatusCode, stripe.StatusCode));
        Assert.Single(await InboxRowsAsync("msg_rotated"));
        Assert.Single(await InboxRowsAsync("evt_rotated"));
    }

    [Fact]
    public async Task A_stripe_callback_with_a_tampered_body_is_401()
    {
        var body = TestWebhooks.StripePaymentIntent("evt_tampered", "payment_intent.succeeded", "pi_t", "t", 100);
        var request = TestWebhooks.Stripe(Host, body);
        request.Content = new StringContent(body.Replace("\"amount\":100", "\"amount\":1"), Encoding.UTF8, "application/json");

        using var reply = await Pipeline.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Empty(await InboxRowsAsync("evt_tampered"));
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "not json at all", "body" },
        { "{\"type\":\"payment.succeeded\",\"timestamp\":\"2026-11-25T10:00:00Z\",\"data\":{\"payment_id\":\"p\",\"amount\":-5,\"currency\":\"EURO\"}}", "data.order_id" },
        { "[1,2,3]", "body" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_payload_is_400_problem_json_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var eventId = "msg_malformed_" + Math.Abs(body.GetHashCode());

        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Host, eventId, body));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(problem.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith(field, StringComparison.Ordinal));
        Assert.Empty(await InboxRowsAsync(eventId));
    }
}
