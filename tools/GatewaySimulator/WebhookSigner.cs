using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GatewaySimulator;

/// <summary>Signs webhook bodies exactly as the Standard Webhooks and Stripe schemes publish it, so receivers verify them with their real code.</summary>
public static class WebhookSigner
{
    /// <summary>Value of the <c>webhook-signature</c> header: <c>v1,</c> + base64 HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string StandardSignature(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Concat(prefix, body)));
    }

    /// <summary>Value of the <c>Stripe-Signature</c> header: <c>t={timestamp},v1={hex HMAC-SHA256 over "{timestamp}.{body}"}</c> keyed by the secret's UTF-8 bytes.</summary>
    public static string StripeSignature(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}."));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Concat(prefix, body));
        return string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={Convert.ToHexStringLower(mac)}");
    }

    private static byte[] Concat(byte[] prefix, ReadOnlySpan<byte> body)
    {
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return payload;
    }
}
