using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GatewaySimulator.WeChatPay;

/// <summary>
/// The simulator as WeChat Pay sees the world, written from WeChat Pay's public API v3 documentation:
/// its own platform key (signing notifications and responses), the merchant it serves (id, API
/// certificate serial and key pair, the APIv3 key that encrypts notification resources). Every key is
/// generated when the simulator starts; <see cref="ConnectorSettings"/> hands the pipeline its half.
/// </summary>
internal sealed class WeChatPayDialect : IDisposable
{
    public const string MerchantId = "1900000109";
    public const string AppId = "wxd678efh567hg6787";
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";
    private const int TagBytes = 16;

    private static readonly TimeSpan RequestTolerance = TimeSpan.FromMinutes(5);

    private readonly RSA platformKey = RSA.Create(2048);
    private readonly RSA merchantKey = RSA.Create(2048);
    private readonly RSA? certificateKey;
    private readonly byte[] apiV3Key;

    public WeChatPayDialect(bool keyMigration = false)
    {
        if (keyMigration)
        {
            certificateKey = RSA.Create(2048);
            CertificateSerial = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        }
        PlatformSerial = "PUB_KEY_ID_" + RandomNumberGenerator.GetString("0123456789", 24);
        MerchantSerial = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        ApiV3Key = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
        apiV3Key = Encoding.ASCII.GetBytes(ApiV3Key);
    }

    /// <summary>The serial WeChat Pay names its signing key by (a public-key id, as after the 2024 migration).</summary>
    public string PlatformSerial { get; }

    /// <summary>During a key migration, the serial of the older platform certificate; null otherwise.</summary>
    public string? CertificateSerial { get; }

    public string MerchantSerial { get; }

    public string ApiV3Key { get; }

    /// <summary>The pipeline's <c>Connectors:WeChatPay</c> settings for this simulator, API base excepted.</summary>
    public IReadOnlyDictionary<string, string> ConnectorSettings() => new Dictionary<string, string>
    {
        ["MerchantId"] = MerchantId,
        ["MerchantSerial"] = MerchantSerial,
        ["MerchantPrivateKey"] = merchantKey.ExportPkcs8PrivateKeyPem(),
        ["ApiV3Key"] = ApiV3Key,
        // Mid-migration a merchant holds both: the public key, and the platform certificate it is leaving.
        ["PlatformPublicKeys"] = $"{PlatformSerial}={Convert.ToBase64String(platformKey.ExportSubjectPublicKeyInfo())}"
            + (certificateKey is null ? "" : $" {CertificateSerial}={Convert.ToBase64String(certificateKey.ExportSubjectPublicKeyInfo())}"),
    };

    /// <summary>
    /// The key an API answer is signed with: the one the request's <c>Wechatpay-Serial</c> names; without
    /// a known one, the public key, or mid-migration the platform certificate (WeChat Pay's default until
    /// a merchant asks for the public key, as its switch guide describes).
    /// </summary>
    public string AnswerSerial(string? requested) =>
        requested == PlatformSerial || (requested is not null && requested == CertificateSerial) ? requested
        : CertificateSerial ?? PlatformSerial;

    /// <summary>
    /// <c>Wechatpay-*</c> headers over <c>timestamp\nnonce\nbody\n</c>, as on every notification and response,
    /// signed by the key of <paramref name="serial"/> (the public key unless the certificate's is named).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> SignatureHeaders(long timestamp, ReadOnlySpan<byte> body, string? serial = null)
    {
        var nonce = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        var ts = timestamp.ToString(CultureInfo.InvariantCulture);
        var (key, keySerial) = serial is not null && serial == CertificateSerial ? (certificateKey!, serial) : (platformKey, PlatformSerial);
        var signature = Convert.ToBase64String(key.SignData(Message([ts, nonce], body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return
        [
            new("Wechatpay-Timestamp", ts),
            new("Wechatpay-Nonce", nonce),
            new("Wechatpay-Signature", signature),
            new("Wechatpay-Serial", keySerial),
            new("Wechatpay-Signature-Type", Scheme),
        ];
    }

    /// <summary>
    /// Checks a merchant request's <c>Authorization</c>: this merchant, its certificate serial, a
    /// timestamp within 5 minutes, and SHA256withRSA over <c>METHOD\npath?query\ntimestamp\nnonce\nbody\n</c>.
    /// Returns why not, or null when it verifies.
    /// </summary>
    public string? RequestProblem(string method, string pathAndQuery, string? authorization, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (authorization is null || !authorization.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return "Authorization must use " + Scheme;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[(Scheme.Length + 1)..].Split(','))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0)
            {
                fields[part[..separator].Trim()] = part[(separator + 1)..].Trim().Trim('"');
            }
        }
        if (fields.GetValueOrDefault("mchid") != MerchantId)
        {
            return "mchid is not this merchant";
        }
        if (fields.GetValueOrDefault("serial_no") != MerchantSerial)
        {
            return "serial_no is not the merchant's API certificate";
        }
        if (!long.TryParse(fields.GetValueOrDefault("timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > RequestTolerance.TotalSeconds)
        {
            return "timestamp is missing or outside 5 minutes";
        }
        if (fields.GetValueOrDefault("nonce_str") is not { Length: > 0 } nonce || fields.GetValueOrDefault("signature") is not { } signature)
        {
            return "nonce_str and signature are required";
        }
        var presented = new byte[signature.Length];
        var message = Message([method, pathAndQuery, fields["timestamp"], nonce], body);
        return Convert.TryFromBase64String(signature, presented, out var written)
            && merchantKey.VerifyData(message, presented.AsSpan(0, written), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            ? null
            : "signature does not verify with the merchant's API certificate";
    }

    /// <summary>A notification body: the resource's JSON encrypted with AEAD_AES_256_GCM under the APIv3 key, the tag after the ciphertext.</summary>
    public byte[] Notification(string id, DateTimeOffset created, string eventType, string summary, string originalType, byte[] resource, string nonce)
    {
        var associatedData = originalType;
        var ciphertext = new byte[resource.Length + TagBytes];
        using (var aes = new AesGcm(apiV3Key, TagBytes))
        {
            aes.Encrypt(Encoding.ASCII.GetBytes(nonce), resource, ciphertext.AsSpan(0, resource.Length), ciphertext.AsSpan(resource.Length), Encoding.UTF8.GetBytes(associatedData));
        }
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            id,
            create_time = ChinaTime(created),
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary,
            resource = new
            {
                original_type = originalType,
                algorithm = "AEAD_AES_256_GCM",
                ciphertext = Convert.ToBase64String(ciphertext),
                associated_data = associatedData,
                nonce,
            },
        });
    }

    /// <summary>RFC 3339 in China Standard Time, as WeChat Pay writes its times.</summary>
    public static string ChinaTime(DateTimeOffset time) =>
        time.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        certificateKey?.Dispose();
        platformKey.Dispose();
        merchantKey.Dispose();
    }

    private static byte[] Message(string[] lines, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        return [.. head, .. body, (byte)'\n'];
    }
}
