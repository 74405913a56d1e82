using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// Signs and encrypts WeChat Pay API v3 notifications the way WeChat Pay's documentation says, written
/// here independently of the connector and of the simulator. Its platform key is made at run time and
/// sits beside the simulator's in the pipeline's key list under its own serial, as two keys do during
/// WeChat Pay's certificate → public-key migration.
/// </summary>
public sealed class TestWeChatPay : IDisposable
{
    public const string Serial = "PUB_KEY_ID_0114232134912410000000000000";

    private readonly RSA platform = RSA.Create(2048);

    public TestWeChatPay(string apiV3Key, string merchantId)
    {
        ApiV3Key = apiV3Key;
        MerchantId = merchantId;
    }

    public string ApiV3Key { get; }

    public string MerchantId { get; }

    /// <summary>Adds this platform key to the pipeline's settings, after the simulator's.</summary>
    public void AddTo(Dictionary<string, string?> settings) =>
        settings["Connectors:WeChatPay:PlatformPublicKeys"] += $" {Serial}={Convert.ToBase64String(platform.ExportSubjectPublicKeyInfo())}";

    /// <summary>The decrypted transaction of a TRANSACTION.SUCCESS notification.</summary>
    public string Transaction(string outTradeNo, string orderId, long total, string currency = "CNY", string state = "SUCCESS", string? merchantId = null) =>
        JsonSerializer.Serialize(new
        {
            appid = "wxd678efh567hg6787",
            mchid = merchantId ?? MerchantId,
            out_trade_no = outTradeNo,
            transaction_id = "4200000" + Math.Abs(outTradeNo.GetHashCode()).ToString(CultureInfo.InvariantCulture),
            trade_type = "JSAPI",
            trade_state = state,
            trade_state_desc = "支付成功",
            bank_type = "OTHERS",
            attach = orderId,
            success_time = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            payer = new { openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
            amount = new { total, payer_total = total, currency, payer_currency = currency },
        }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>A notification body with <paramref name="resource"/> sealed by AES-256-GCM under the APIv3 key (tag appended).</summary>
    public string Notification(string id, string eventType, string resource, string associatedData = "transaction", string? nonce = null, Func<byte[], byte[]>? tamper = null) =>
        Notification(id, eventType, Encoding.UTF8.GetBytes(resource), associatedData, nonce, tamper);

    /// <summary>The same around any plaintext bytes (a resource that is not UTF-8, say).</summary>
    public string Notification(string id, string eventType, byte[] plaintext, string associatedData = "transaction", string? nonce = null, Func<byte[], byte[]>? tamper = null)
    {
        nonce ??= RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 12);
        var sealedBytes = new byte[plaintext.Length + 16];
        using (var aes = new AesGcm(Encoding.UTF8.GetBytes(ApiV3Key), 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), Encoding.UTF8.GetBytes(associatedData));
        }
        sealedBytes = tamper?.Invoke(sealedBytes) ?? sealedBytes;
        return JsonSerializer.Serialize(new
        {
            id,
            create_time = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary = eventType == "TRANSACTION.SUCCESS" ? "支付成功" : "退款成功",
            resource = new { original_type = associatedData, algorithm = "AEAD_AES_256_GCM", ciphertext = Convert.ToBase64String(sealedBytes), associated_data = associatedData, nonce },
        }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>The POST as WeChat Pay sends it: <c>Wechatpay-*</c> headers over <c>timestamp\nnonce\nbody\n</c>.</summary>
    public HttpRequestMessage Post(Uri host, string body, long? timestamp = null, string serial = Serial, string? signedBody = null)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        var message = Encoding.UTF8.GetBytes($"{ts}\n{nonce}\n{signedBody ?? body}\n");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host, "api/callbacks/wechatpay"))
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("Wechatpay-Timestamp", ts);
        request.Headers.Add("Wechatpay-Nonce", nonce);
        request.Headers.Add("Wechatpay-Serial", serial);
        request.Headers.Add("Wechatpay-Signature", Convert.ToBase64String(platform.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        return request;
    }

    public void Dispose() => platform.Dispose();
}
