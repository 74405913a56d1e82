using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Adyen;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Issue 26, item 11: Adyen's documented standard-webhook payloads (<c>Fixtures/Providers/adyen</c>, sources in
/// its README) through <see cref="AdyenProvider"/>: each item signed here with the test key as Adyen documents
/// it. The connector is intake-only (no query, refund or statement calls), so Adyen has no answer fixtures.
/// </summary>
public sealed class AdyenDocumentedPayloadTests
{
    private const string Provider = "adyen";
    private const string MerchantAccount = "YOUR_MERCHANT_ACCOUNT";
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The batch with every item's <c>additionalData.hmacSignature</c> made over its documented fields.</summary>
    private static WebhookRequest Signed(string file)
    {
        var batch = JsonNode.Parse(ProviderFixtures.Text(Provider, file))!;
        foreach (var wrapper in batch["notificationItems"]!.AsArray())
        {
            var item = wrapper!["NotificationRequestItem"]!;
            string Text(string field) => item[field]?.GetValue<string>() ?? "";
            var signed = string.Join(':', Text("pspReference"), Text("originalReference"), Text("merchantAccountCode"), Text("merchantReference"),
                item["amount"]!["value"]!.GetValue<long>(), item["amount"]!["currency"]!.GetValue<string>(), Text("eventCode"), Text("success"));
            item["additionalData"]!["hmacSignature"] = Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(signed)));
        }
        return new WebhookRequest(Provider, new Dictionary<string, string>(), Encoding.UTF8.GetBytes(batch.ToJsonString()));
    }

    private static PaymentEvent Parse(string file)
    {
        var provider = new AdyenProvider([Convert.ToHexString(Key)], [MerchantAccount]);
        var item = Assert.Single(provider.Items(Signed(file))!);
        Assert.True(provider.Verify(item, DateTimeOffset.UtcNow));
        return Assert.IsType<ParseOutcome.Parsed>(provider.Parse(item)).Event;
    }

    [Fact]
    public void The_documented_authorisation_verifies_and_parses_as_the_payment_of_its_merchant_reference()
    {
        var payment = Parse("notification-authorisation.json");

        Assert.Equal(
            (PaymentEventKind.Succeeded, "7914073381342284", "YOUR_ORDER_REFERENCE", 1130L, "EUR"),
            (payment.Kind, payment.PaymentId, payment.OrderId, payment.AmountMinor, payment.Currency));
    }

    [Fact]
    public void The_documented_refund_verifies_and_parses_as_a_refund_of_its_original_reference()
    {
        var refund = Parse("notification-refund.json");

        Assert.Equal(
            (PaymentEventKind.Refunded, "7914073381342284", 1130L, "EUR"),
            (refund.Kind, refund.PaymentId, refund.AmountMinor, refund.Currency));
    }
}
