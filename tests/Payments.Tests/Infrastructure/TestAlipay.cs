using System.Security.Cryptography;
using System.Text;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// Builds Alipay notifications the way Alipay's documentation describes them, written here
/// independently of the connector: the signed content is every non-empty field but <c>sign</c> and
/// <c>sign_type</c>, sorted by key, <c>k=v</c> joined by <c>&amp;</c>, RSA2 over its bytes in the
/// notification's charset (UTF-8, or GBK when it says so: Alipay's SDK rule).
/// </summary>
public static class TestAlipay
{
    public static List<KeyValuePair<string, string>> Notification(string appId, string sellerId, string notifyId, string paymentId, string orderId, string totalAmount, string status = "TRADE_SUCCESS") =>
    [
        new("notify_time", "2026-11-26 10:59:38"),
        new("notify_type", "trade_status_sync"),
        new("notify_id", notifyId),
        new("charset", "utf-8"),
        new("version", "1.0"),
        new("sign_type", "RSA2"),
        new("app_id", appId),
        new("seller_id", sellerId),
        new("trade_no", "2026112622001456380542497258"),
        new("out_trade_no", paymentId),
        new("body", orderId),
        new("subject", "order " + orderId),
        new("trade_status", status),
        new("total_amount", totalAmount),
        new("gmt_payment", "2026-11-26 10:59:38"),
    ];

    public static string SignedContent(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.Where(f => f.Key is not ("sign" or "sign_type") && f.Value != "").OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    public static string Sign(RSA key, string content, Encoding? charset = null) =>
        Convert.ToBase64String(key.SignData((charset ?? Encoding.UTF8).GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>GBK (code page 936), which .NET has only once the code pages provider is registered.</summary>
    public static Encoding Gbk
    {
        get
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GBK");
        }
    }

    /// <summary>The fields with a signature appended, made by <paramref name="sign"/> over their signed content.</summary>
    public static List<KeyValuePair<string, string>> Signed(List<KeyValuePair<string, string>> fields, Func<string, string> sign)
    {
        var signed = fields.Where(f => f.Key != "sign").ToList();
        signed.Add(new("sign", sign(SignedContent(signed))));
        return signed;
    }

    /// <summary>A form body, percent-encoded in the given charset (UTF-8 unless Alipay was told GBK).</summary>
    public static byte[] Form(IEnumerable<KeyValuePair<string, string>> fields, Encoding? encoding = null) =>
        Encoding.ASCII.GetBytes(string.Join("&", fields.Select(f => $"{Encode(f.Key, encoding)}={Encode(f.Value, encoding)}")));

    public static HttpRequestMessage Post(Uri host, byte[] form) => new(HttpMethod.Post, new Uri(host, "api/callbacks/alipay"))
    {
        Content = new ByteArrayContent(form) { Headers = { ContentType = new("application/x-www-form-urlencoded") } },
    };

    public static List<KeyValuePair<string, string>> With(this List<KeyValuePair<string, string>> fields, string key, string value) =>
        [.. fields.Where(f => f.Key != key), new(key, value)];

    private static string Encode(string text, Encoding? encoding) =>
        encoding is null ? Uri.EscapeDataString(text) : string.Concat((encoding.GetBytes(text)).Select(b => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') ? ((char)b).ToString() : $"%{b:X2}"));
}
