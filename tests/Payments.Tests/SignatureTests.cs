using System.Security.Cryptography;
using System.Text;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;

namespace Payments.Tests;

/// <summary>The providers' signature checks against vectors from the published schemes, not from the code under test.</summary>
public sealed class SignatureTests
{
    // The example from the Standard Webhooks specification (standardwebhooks.com).
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecPayload = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly DateTimeOffset SpecNow = DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp);

    private static WebhookRequest StandardRequest(string payload, string signature, long timestamp = SpecTimestamp) => new(
        "standard",
        new Dictionary<string, string> { ["webhook-id"] = SpecId, ["webhook-timestamp"] = timestamp.ToString(), ["webhook-signature"] = signature },
        Encoding.UTF8.GetBytes(payload));

    private static StandardWebhooksProvider Standard(params string[] secrets) => new(secrets, TimeSpan.FromMinutes(5));

    [Fact]
    public void Standard_webhooks_specification_example_verifies() =>
        Assert.True(Standard(SpecSecret).Verify(StandardRequest(SpecPayload, SpecSignature), SpecNow));

    [Fact]
    public void Standard_signature_list_passes_when_any_v1_entry_matches() =>
        Assert.True(Standard(SpecSecret).Verify(StandardRequest(SpecPayload, "v1,AAAA " + SpecSignature + " v2,whatever"), SpecNow));

    [Fact]
    public void Standard_tampered_body_fails() =>
        Assert.False(Standard(SpecSecret).Verify(StandardRequest("{\"test\": 2432232315}", SpecSignature), SpecNow));

    [Fact]
    public void Standard_wrong_secret_fails() =>
        Assert.False(Standard("whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("another key"))).Verify(StandardRequest(SpecPayload, SpecSignature), SpecNow));

    [Fact]
    public void Standard_stale_or_future_timestamp_fails_even_with_a_valid_signature()
    {
        Assert.False(Standard(SpecSecret).Verify(StandardRequest(SpecPayload, SpecSignature), SpecNow.AddMinutes(5).AddSeconds(1)));
        Assert.False(Standard(SpecSecret).Verify(StandardRequest(SpecPayload, SpecSignature), SpecNow.AddMinutes(-5).AddSeconds(-1)));
        Assert.True(Standard(SpecSecret).Verify(StandardRequest(SpecPayload, SpecSignature), SpecNow.AddMinutes(5)));
    }

    [Fact]
    public void Standard_rotated_secret_passes_while_both_are_configured() =>
        Assert.True(Standard("whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("the new key")), SpecSecret)
            .Verify(StandardRequest(SpecPayload, SpecSignature), SpecNow));

    private const string StripeSecret = "whsec_vector_secret";
    private const string StripeBody = "{\"id\":\"evt_1\",\"object\":\"event\"}";
    private const long StripeTimestamp = 1700000000;

    // Stripe's scheme: hex HMAC-SHA256 keyed by the endpoint secret's UTF-8 bytes over "{t}.{body}".
    private static string StripeSignature(string secret, long t, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")));

    private static WebhookRequest StripeRequest(string header, string body = StripeBody) =>
        new("stripe", new Dictionary<string, string> { ["Stripe-Signature"] = header }, Encoding.UTF8.GetBytes(body));

    private static readonly DateTimeOffset StripeNow = DateTimeOffset.FromUnixTimeSeconds(StripeTimestamp + 10);

    [Fact]
    public void Stripe_signature_verifies_and_extra_v1_or_v0_entries_are_tolerated()
    {
        var provider = new StripeProvider([StripeSecret], TimeSpan.FromMinutes(5));
        var good = StripeSignature(StripeSecret, StripeTimestamp, StripeBody);
        Assert.True(provider.Verify(StripeRequest($"t={StripeTimestamp},v1={good}"), StripeNow));
        Assert.True(provider.Verify(StripeRequest($"t={StripeTimestamp},v1={new string('0', 64)},v1={good},v0=abc"), StripeNow));
    }

    [Fact]
    public void Stripe_tampered_body_wrong_secret_and_stale_timestamp_fail()
    {
        var provider = new StripeProvider([StripeSecret], TimeSpan.FromMinutes(5));
        var good = StripeSignature(StripeSecret, StripeTimestamp, StripeBody);
        Assert.False(provider.Verify(StripeRequest($"t={StripeTimestamp},v1={good}", StripeBody.Replace("evt_1", "evt_2")), StripeNow));
        Assert.False(provider.Verify(StripeRequest($"t={StripeTimestamp},v1={StripeSignature("whsec_other", StripeTimestamp, StripeBody)}"), StripeNow));
        Assert.False(provider.Verify(StripeRequest($"t={StripeTimestamp},v1={good}"), StripeNow.AddMinutes(6)));
        Assert.False(provider.Verify(StripeRequest($"t={StripeTimestamp + 1},v1={good}"), StripeNow));
    }

    [Fact]
    public void Stripe_rotated_secret_passes_while_both_are_configured()
    {
        var provider = new StripeProvider(["whsec_new", StripeSecret], TimeSpan.FromMinutes(5));
        Assert.True(provider.Verify(StripeRequest($"t={StripeTimestamp},v1={StripeSignature(StripeSecret, StripeTimestamp, StripeBody)}"), StripeNow));
    }

    [Fact]
    public void Stripe_charge_refunded_parses_to_a_refund_event_of_the_payment_intent()
    {
        var body = "{\"id\":\"evt_r\",\"object\":\"event\",\"type\":\"charge.refunded\",\"api_version\":\"" + StripeProvider.SupportedApiVersion + "\",\"created\":1700000000,\"data\":{\"object\":{\"id\":\"ch_1\",\"object\":\"charge\",\"payment_intent\":\"pi_9\",\"amount\":500,\"amount_refunded\":200,\"currency\":\"usd\",\"metadata\":{\"order_id\":\"o9\"}}}}";
        var parsed = Assert.IsType<ParseOutcome.Parsed>(new StripeProvider([StripeSecret], TimeSpan.FromMinutes(5)).Parse(StripeRequest("", body)));
        Assert.Equal(new PaymentEvent("stripe", "evt_r", PaymentEventKind.Refunded, "pi_9", "o9", 200, "USD", DateTimeOffset.FromUnixTimeSeconds(1700000000)), parsed.Event);
    }
}
