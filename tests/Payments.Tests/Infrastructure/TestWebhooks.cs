using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// Signs callbacks the way the published schemes say (standardwebhooks.com, Stripe's docs),
/// written here independently of the code under test, so a signing bug cannot hide in both.
/// </summary>
public static class TestWebhooks
{
    public static readonly byte[] StandardKey = Encoding.UTF8.GetBytes("test-standard-key-current");
    public static readonly byte[] StandardOldKey = Encoding.UTF8.GetBytes("test-standard-key-previous");
    public const string StripeSecret = "whsec_test_stripe_current";
    public const string StripeOldSecret = "whsec_test_stripe_previous";

    public static string StandardSecret(byte[] key) => "whsec_" + Convert.ToBase64String(key);

    /// <summary>The settings a test host needs so these signatures verify; both secrets of each provider are live (rotation).</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Intake:StandardSecrets"] = $"{StandardSecret(StandardKey)} {StandardSecret(StandardOldKey)}",
        ["Connectors:Stripe:WebhookSecrets"] = $"{StripeSecret},{StripeOldSecret}",
    };

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static HttpRequestMessage Standard(Uri host, string webhookId, string body, long? timestamp = null, byte[]? key = null)
    {
        var ts = (timestamp ?? Now).ToString();
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key ?? StandardKey, Encoding.UTF8.GetBytes($"{webhookId}.{ts}.{body}")));
        var request = Post(host, "standard", body);
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", ts);
        request.Headers.Add("webhook-signature", $"v1,{signature}");
        return request;
    }

    public static HttpRequestMessage Stripe(Uri host, string body, long? timestamp = null, string? secret = null)
    {
        var ts = (timestamp ?? Now).ToString();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret ?? StripeSecret), Encoding.UTF8.GetBytes($"{ts}.{body}")));
        var request = Post(host, "stripe", body);
        request.Headers.Add("Stripe-Signature", $"t={ts},v1={signature}");
        return request;
    }

    public static string StandardPayment(string type, string paymentId, string orderId, long amount, string currency = "EUR") =>
        JsonSerializer.Serialize(new
        {
            type,
            timestamp = DateTimeOffset.UtcNow.ToString("O"),
            data = new { payment_id = paymentId, order_id = orderId, amount, currency },
        });

    public static string StripePaymentIntent(string eventId, string type, string paymentId, string orderId, long amount, string currency = "eur") =>
        JsonSerializer.Serialize(new
        {
            id = eventId,
            @object = "event",
            api_version = "2026-10-28.endive",
            created = Now,
            type,
            livemode = false,
            data = new
            {
                @object = new
                {
                    id = paymentId,
                    @object = "payment_intent",
                    amount,
                    amount_received = type == "payment_intent.succeeded" ? amount : 0,
                    currency,
                    status = type == "payment_intent.succeeded" ? "succeeded" : "requires_payment_method",
                    metadata = new { order_id = orderId },
                },
            },
        });

    private static HttpRequestMessage Post(Uri host, string provider, string body) => new(HttpMethod.Post, new Uri(host, $"api/callbacks/{provider}"))
    {
        Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
    };
}
