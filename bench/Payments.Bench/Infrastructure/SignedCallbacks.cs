using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Payments.Benchmarks.Infrastructure;

/// <summary>
/// Builds Standard Webhooks callbacks (standardwebhooks.com) signed with the bench's own key, so
/// intake does its full verify-parse-store work on every request the bench sends.
/// </summary>
public static class SignedCallbacks
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("bench-only-standard-webhooks-key");

    /// <summary>The intake setting that makes these signatures verify.</summary>
    public static string Secret => "whsec_" + Convert.ToBase64String(Key);

    public static string Body(string type, string paymentId, string orderId, long amount, string currency = "EUR") =>
        JsonSerializer.Serialize(new
        {
            type,
            timestamp = DateTimeOffset.UtcNow.ToString("O"),
            data = new { payment_id = paymentId, order_id = orderId, amount, currency },
        });

    /// <summary>A signed POST of <paramref name="body"/> to <paramref name="url"/>; the bare endpoint receives the very same request.</summary>
    public static HttpRequestMessage Post(Uri url, string webhookId, string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", $"v1,{signature}");
        return request;
    }
}
