using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// The messages WeChat Pay API v3 signs, and the merchant's request signature. Every message is
/// lines each ending in <c>\n</c>, the body last as raw bytes: a notification or response is
/// <c>timestamp\nnonce\nbody\n</c>; a request is <c>METHOD\npath?query\ntimestamp\nnonce\nbody\n</c>.
/// </summary>
public static class WeChatPaySignature
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    /// <summary>What WeChat Pay signs on a notification or a response.</summary>
    public static byte[] ResponseMessage(string timestamp, string nonce, ReadOnlySpan<byte> body) => Message([timestamp, nonce], body);

    /// <summary>What the merchant signs on a request: the path with its query exactly as sent, the body as sent (empty for GET).</summary>
    public static byte[] RequestMessage(string method, string pathAndQuery, string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Message([method, pathAndQuery, timestamp, nonce], body);

    /// <summary>SHA256withRSA, PKCS#1 v1.5, base64.</summary>
    public static string Sign(RSA key, ReadOnlySpan<byte> message) =>
        Convert.ToBase64String(key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>The <c>Authorization</c> header value of a signed request.</summary>
    public static string Authorization(string merchantId, string nonce, long timestamp, string serial, string signature) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Scheme} mchid=\"{merchantId}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{serial}\"");

    /// <summary>A request nonce: 32 random letters and digits.</summary>
    public static string NewNonce() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);

    private static byte[] Message(string[] lines, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        message[^1] = (byte)'\n';
        return message;
    }
}
