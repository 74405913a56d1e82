using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payments.Contracts;
using Payments.Gateway.Stripe;
using Payments.Intake;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class StripeIntakeFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("stripeintake");
}

/// <summary>
/// Stripe's event types and shapes at the callback endpoint: which are applied, which are kept, and
/// which are stored and parked for an operator (answered 2xx, so Stripe does not retry them for days).
/// </summary>
public sealed class StripeIntakeTests(StripeIntakeFixture fixture) : IClassFixture<StripeIntakeFixture>
{
    private const string Version = "2026-10-28.endive";

    private PipelineHost Pipeline => fixture.Pipeline;
    private Uri Host => Pipeline.Host.BaseAddress;

    [Fact]
    public void The_supported_api_version_is_the_one_stripe_net_pins_for_outbound_calls()
    {
        // Upgrading Stripe.net moves its pinned version: the webhook parser must then be re-checked and the constant (and README) moved with it.
        Assert.Equal(StripeProvider.SupportedApiVersion, global::Stripe.StripeConfiguration.ApiVersion);
        Assert.Equal(Version, StripeProvider.SupportedApiVersion);
    }

    [Fact]
    public async Task A_canceled_payment_intent_ends_the_wait_and_the_order_is_cancelled_as_closed()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-sc", 1);
        var order = await Pipeline.RegisterOrderAsync("sicancel", sku: "sku-sc", provider: "stripe");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        using var reply = await PostAsync(Event("evt_si_cancel", "payment_intent.canceled", Intent(order.PaymentId, order.OrderId, "canceled")));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        // The window is two minutes; the canceled intent ends the wait long before.
        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_closed"), await Pipeline.WaitForOutcomeAsync(order.OrderId, TimeSpan.FromSeconds(60)));
        Assert.Equal(new StockLevel("sku-sc", 1, 0, 0), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-sc"));
        Assert.Equal(PaymentEventKind.Closed, (await InboxRowAsync("evt_si_cancel")).Event!.Kind);
    }

    [Fact]
    public async Task A_succeeded_refund_update_is_stored_as_a_refund_notice()
    {
        using var reply = await PostAsync(Event("evt_si_refund_ok", "charge.refund.updated", Refund("pi_si_r1", "sirefund1", "succeeded")));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var row = await InboxRowAsync("evt_si_refund_ok");
        Assert.Equal((PaymentEventKind.Refunded, "pi_si_r1", "sirefund1", 2500L), (row.Event!.Kind, row.Event.PaymentId, row.Event.OrderId, row.Event.AmountMinor));
    }

    /// <summary>A refund Stripe failed after accepting it is a refund notice for the money ledger, which parks it once with its retry (not a parked letter beside it).</summary>
    [Fact]
    public async Task A_failed_refund_update_is_a_refund_failed_notice_naming_its_refund()
    {
        using var reply = await PostAsync(Event("evt_si_refund_failed", "charge.refund.updated", Refund("pi_si_r3", "sirefund3", "failed")));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var row = await InboxRowAsync("evt_si_refund_failed");
        Assert.NotEqual(InboxState.Parked, row.State);
        Assert.Equal((PaymentEventKind.RefundFailed, "pi_si_r3", "sirefund3"), (row.Event!.Kind, row.Event.PaymentId, row.Event.OrderId));
        Assert.NotNull(row.Event.RefundId);
    }

    [Fact]
    public async Task A_pending_refund_update_is_kept_and_not_applied()
    {
        using var reply = await PostAsync(Event("evt_si_refund_pending", "charge.refund.updated", Refund("pi_si_r2", "sirefund2", "pending")));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(InboxState.Ignored, (await InboxRowAsync("evt_si_refund_pending")).State);
    }

    public static TheoryData<string, string, string> ParkedEvents => new()
    {
        // An intent created outside this pipeline (or without the convention): no order to apply it to.
        { "evt_si_no_order", Event("evt_si_no_order", "payment_intent.succeeded", Intent("pi_si_x", orderId: null, "succeeded")), "no metadata.order_id" },
        { "evt_si_old_version", Event("evt_si_old_version", "payment_intent.succeeded", Intent("pi_si_v", "siv", "succeeded"), apiVersion: "2020-08-27"), "api_version '2020-08-27'" },
        { "evt_si_no_version", Event("evt_si_no_version", "payment_intent.succeeded", Intent("pi_si_nv", "sinv", "succeeded"), apiVersion: null), "api_version 'none'" },
        // An API v2 thin event: no object snapshot to read.
        { "evt_si_thin", JsonSerializer.Serialize(new { id = "evt_si_thin", @object = "v2.core.event", type = "v1.payment_intent.succeeded", created = "2026-11-25T10:00:00.000Z", livemode = false,
            related_object = new { id = "pi_si_thin", type = "payment_intent", url = "/v1/payment_intents/pi_si_thin" } }), "thin events" },
    };

    [Theory]
    [MemberData(nameof(ParkedEvents))]
    public async Task An_event_the_pipeline_must_not_apply_is_stored_acknowledged_and_parked_for_an_operator(string eventId, string body, string reason)
    {
        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var row = await InboxRowAsync(eventId);
        Assert.Equal(InboxState.Parked, row.State);
        Assert.Null(row.Event);

        // The operator's dead-letter listing shows it, with the reason; discarding it settles the stored callback.
        using var listing = await Pipeline.Http.GetAsync("api/ops/dead-letters");
        var letters = JsonDocument.Parse(await listing.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(item => item.GetProperty("letter")).Where(l => l.GetProperty("eventId").GetString() == eventId).ToList();
        var letter = Assert.Single(letters);
        Assert.Equal(CallbackIntake.ParkedReason, letter.GetProperty("reason").GetString());
        Assert.Contains(reason, letter.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var again = await Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(await Collect.AllAsync(Pipeline.Service<DeadLetterStore>().ListAsync()), l => l.EventId == eventId);

        using var discard = await Pipeline.Http.PostAsJsonAsync($"api/ops/dead-letters/{letter.GetProperty("id").GetString()}/discard", new { reason = "handled by hand" });
        Assert.Equal(HttpStatusCode.OK, discard.StatusCode);
        Assert.Equal(InboxState.Discarded, (await InboxRowAsync(eventId)).State);
    }

    private Task<HttpResponseMessage> PostAsync(string body) => Pipeline.Http.SendAsync(TestWebhooks.Stripe(Host, body));

    private async Task<InboxEntry> InboxRowAsync(string eventId) =>
        Assert.Single(await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync()), e => e.EventId == eventId);

    private static string Event(string id, string type, object dataObject, string? apiVersion = Version) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = apiVersion,
        ["created"] = TestWebhooks.Now,
        ["type"] = type,
        ["livemode"] = false,
        ["data"] = new { @object = dataObject },
    });

    private static object Intent(string paymentId, string? orderId, string status) => new
    {
        id = paymentId,
        @object = "payment_intent",
        amount = 2500,
        amount_received = status == "succeeded" ? 2500 : 0,
        currency = "eur",
        status,
        metadata = orderId is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["order_id"] = orderId },
    };

    private static object Refund(string paymentId, string orderId, string status) => new
    {
        id = "re_" + orderId,
        @object = "refund",
        amount = 2500,
        currency = "eur",
        payment_intent = paymentId,
        status,
        metadata = new Dictionary<string, string> { ["order_id"] = orderId },
    };
}
