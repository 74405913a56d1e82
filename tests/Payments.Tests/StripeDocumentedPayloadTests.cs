using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Stripe;
using Payments.Secrets;
using Payments.Tests.Infrastructure;
using Stripe;

namespace Payments.Tests;

/// <summary>
/// Issue 26, item 11: Stripe's documented payloads (<c>Fixtures/Providers/stripe</c>, sources in its README)
/// through the connector's own code: the webhook dialect (<see cref="StripeProvider"/>) and Stripe.net
/// reading the API's answers inside <see cref="StripeGateway"/>, served by a canned Stripe API.
/// </summary>
public sealed class StripeDocumentedPayloadTests
{
    private const string Provider = "stripe";
    private const string IntentId = "pi_3MtwBwLkdIwHu7ix28a3tqPa";

    private readonly CannedGateway api = new((request, _) => (request.Method.Method, request.RequestUri!.AbsolutePath) switch
    {
        ("GET", "/v1/payment_intents/" + IntentId) => CannedGateway.Json(ProviderFixtures.Text(Provider, "payment_intent.json")),
        ("GET", "/v1/refunds") => CannedGateway.Json(ProviderFixtures.Text(Provider, "refunds-list-empty.json")),
        ("POST", "/v1/refunds") => CannedGateway.Json(ProviderFixtures.Text(Provider, "refund.json")),
        ("GET", "/v1/balance_transactions") => CannedGateway.Json(ProviderFixtures.Text(Provider, "balance_transactions-page.json")),
        _ => CannedGateway.NotFound(),
    });

    private StripeGateway Gateway()
    {
        var client = new StripeClient(new StripeClientOptions
        {
            ApiKey = "sk_test_documented_fixtures",
            ApiBase = "https://api.stripe.com",
            HttpClient = new SystemNetHttpClient(new HttpClient(api, disposeHandler: false), maxNetworkRetries: 0, appInfo: null, enableTelemetry: false),
        });
        return new StripeGateway(() => client, new SecretSetting("Connectors:Stripe:ApiKey", "sk_test_documented_fixtures"));
    }

    private static (WebhookRequest Request, DateTimeOffset At) Signed(string body)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1680064028);
        var t = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var v1 = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestWebhooks.StripeSecret), Encoding.UTF8.GetBytes($"{t}.{body}")));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Stripe-Signature"] = $"t={t},v1={v1}" };
        return (new WebhookRequest(Provider, headers, Encoding.UTF8.GetBytes(body)), at);
    }

    [Fact]
    public void The_documented_payment_intent_succeeded_event_verifies_and_parses_as_the_payment_of_its_order()
    {
        var (request, at) = Signed(ProviderFixtures.Text(Provider, "event-payment_intent.succeeded.json"));
        var provider = new StripeProvider([TestWebhooks.StripeSecret], TimeSpan.FromMinutes(5));

        Assert.True(provider.Verify(request, at));
        var parsed = Assert.IsType<ParseOutcome.Parsed>(provider.Parse(request));
        Assert.Equal(
            new PaymentEvent(Provider, "evt_3MtwBwLkdIwHu7ix0M8LEbsW", PaymentEventKind.Succeeded, IntentId, "ord-6735", 2000, "USD", parsed.Event.OccurredAt),
            parsed.Event);
    }

    /// <summary>
    /// Docs say: an event is rendered in the endpoint's API version, and the documentation's examples carry
    /// the version they were written in. The SDK does: Stripe.net pins one version and reads objects of that
    /// version. The SDK's rule wins: the fixture is rendered at the SDK's version, and the documented
    /// example as published (an older <c>api_version</c>) is parked for an operator, not misread.
    /// </summary>
    [Fact]
    public void Docs_examples_carry_their_own_api_version_the_sdk_pins_one_so_the_fixture_is_rendered_at_the_sdk_s()
    {
        var fixture = JsonNode.Parse(ProviderFixtures.Text(Provider, "event-payment_intent.succeeded.json"))!;
        Assert.Equal(StripeConfiguration.ApiVersion, fixture["api_version"]!.GetValue<string>());
        Assert.Equal(StripeProvider.SupportedApiVersion, StripeConfiguration.ApiVersion);

        fixture["api_version"] = "2023-10-16";
        var (asPublished, _) = Signed(fixture.ToJsonString());

        Assert.IsType<ParseOutcome.Parked>(new StripeProvider([TestWebhooks.StripeSecret], TimeSpan.FromMinutes(5)).Parse(asPublished));
    }

    [Fact]
    public async Task The_documented_payment_intent_is_read_as_paid_with_what_was_received()
    {
        var payment = await Gateway().QueryPaymentAsync(new PaymentRef("ord-6735", Provider, IntentId));

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 2000, "USD"), payment);
    }

    [Fact]
    public async Task The_documented_refund_answer_is_read_as_a_succeeded_refund_under_its_id()
    {
        var refund = await Gateway().RefundAsync(new RefundRequest("ord-6735", Provider, IntentId, 2000, "USD", "requested_by_customer"), "refund-" + IntentId);

        Assert.Equal(new RefundResult("re_1Nispe2eZvKYlo2Cd31jOCgZ", RefundState.Succeeded), refund);
        Assert.Contains(api.Requests, r => r.Method == HttpMethod.Post && r.PathAndQuery == "/v1/refunds");
    }

    [Fact]
    public async Task The_documented_balance_transactions_page_becomes_a_capture_and_a_refund_and_the_payout_is_no_payment_s()
    {
        var lines = await Collect.LinesAsync(Gateway().GetStatementAsync(new DateOnly(2023, 3, 8)));

        Assert.Equal(
            [
                ("capture", IntentId, "ord-6735", 2000L, "USD", 88L),
                ("refund", IntentId, "ord-6735", 2000L, "USD", 0L),
            ],
            lines.Select(l => (l.Type, l.PaymentId, l.OrderId, l.AmountMinor, l.Currency, l.Settlement!.FeeMinor)));
    }
}
