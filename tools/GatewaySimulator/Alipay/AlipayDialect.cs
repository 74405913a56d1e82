using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GatewaySimulator.Alipay;

/// <summary>
/// What the simulator needs to speak as Alipay's open platform: its own "platform" key pair (signs
/// notifications and responses) and the merchant app's key pair as if the app had uploaded its public
/// half. Both are generated when the simulator starts; no key material lives in the repository.
/// Written from Alipay's public documentation, independently of the pipeline's connector.
/// </summary>
public sealed class AlipayDialect : IDisposable
{
    public const string GatewayPath = "/alipay/gateway.do";
    public const string BillPath = "/alipay/bills";

    private readonly RSA platform = RSA.Create(2048);
    private readonly RSA app = RSA.Create(2048);

    public AlipayDialect(string appId, string sellerId)
    {
        AppId = appId;
        SellerId = sellerId;
    }

    public string AppId { get; }

    public string SellerId { get; }

    /// <summary>The key an API refund is stored under: the merchant's out_request_no behind this prefix.</summary>
    public const string RefundKeyPrefix = "alipay:";

    /// <summary>
    /// The number Alipay names a refund by in its notifications (<c>out_biz_no</c>) and bills (退款批次号/请求号):
    /// the merchant's <c>out_request_no</c> for a refund made through the API, Alipay's own for one made in the merchant console.
    /// </summary>
    public static string RequestNo(RefundSnapshot refund) =>
        refund.IdempotencyKey is { } key && key.StartsWith(RefundKeyPrefix, StringComparison.Ordinal) ? key[RefundKeyPrefix.Length..] : refund.RefundId;

    /// <summary>Alipay's public key as the open platform shows it: base64 SubjectPublicKeyInfo.</summary>
    public string PlatformPublicKey => Convert.ToBase64String(platform.ExportSubjectPublicKeyInfo());

    /// <summary>The app's private key as Alipay's key tool writes it for Java: base64 PKCS#8.</summary>
    public string AppPrivateKey => Convert.ToBase64String(app.ExportPkcs8PrivateKey());

    /// <summary>
    /// Signs with the platform key: RSA2 (SHA256withRSA, PKCS#1 v1.5), base64, over the content encoded in
    /// the charset it is sent in (UTF-8 unless a notification says GBK, as Alipay's SDKs sign and verify).
    /// </summary>
    public string Sign(string content, Encoding charset) =>
        Convert.ToBase64String(platform.SignData(charset.GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>Signs UTF-8 content (responses, and notifications sent in UTF-8).</summary>
    public string Sign(string content) => Sign(content, Encoding.UTF8);

    /// <summary>GBK, the charset Alipay's .NET SDK defaults to (code page 936, registered on first use).</summary>
    public static Encoding Gbk
    {
        get
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GBK");
        }
    }

    /// <summary>Checks a request's signature with the app's public key.</summary>
    public bool VerifyApp(string content, string signature)
    {
        try
        {
            return app.VerifyData(Encoding.UTF8.GetBytes(content), Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Sorted <c>k=v</c> pairs of the non-empty parameters, leaving out the named ones.</summary>
    public static string SignedContent(IEnumerable<KeyValuePair<string, string>> parameters, params string[] without) =>
        string.Join('&', parameters
            .Where(p => p.Value.Length > 0 && !without.Contains(p.Key))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

    /// <summary>Yuan text for fen, two decimals.</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Alipay's clock: China Standard Time, <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public static string ChinaTime(DateTimeOffset time) => time.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static DateOnly ChinaDate(DateTimeOffset time) => DateOnly.FromDateTime(time.ToOffset(TimeSpan.FromHours(8)).DateTime);

    public void Dispose()
    {
        platform.Dispose();
        app.Dispose();
    }
}
