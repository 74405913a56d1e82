using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Payments.Secrets;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// WeChat Pay's public keys by serial, the only keys its signatures (notifications and responses)
/// are checked with. The serial in <c>Wechatpay-Serial</c> picks the key: an unknown serial is a
/// refusal, never a try of every key, so a retired key stops counting the moment it is removed.
/// </summary>
public sealed class PlatformKeyring
{
    // Key material per serial; an RSA object per check, as RSA instances are not documented thread-safe.
    private readonly Dictionary<string, byte[]> keys;

    private PlatformKeyring(Dictionary<string, byte[]> keys, string? preferred)
    {
        this.keys = keys;
        Preferred = preferred;
    }

    public IReadOnlyCollection<string> Serials => keys.Keys;

    /// <summary>
    /// The serial requests name in <c>Wechatpay-Serial</c>, as both official SDKs send it: the key the
    /// merchant verifies answers with, which decides the key WeChat Pay signs them with. WeChat Pay's
    /// public key (<c>PUB_KEY_ID_…</c>) once it is configured, mid-migration too; else the first listed.
    /// Null for an empty keyring.
    /// </summary>
    public string? Preferred { get; }

    /// <summary>Parses <c>{serial}={base64 public key or certificate}</c> entries; throws <see cref="FormatException"/> naming the entry at fault.</summary>
    public static PlatformKeyring Parse(string entries)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var list = SecretList.Split(entries);
        for (var i = 0; i < list.Count; i++)
        {
            var separator = list[i].IndexOf('=', StringComparison.Ordinal);
            var serial = separator > 0 ? list[i][..separator] : "";
            if (serial.Length == 0 || !serial.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new FormatException($"entry {i + 1} of {list.Count}: expected '{{serial}}={{base64 public key}}'.");
            }
            if (SubjectPublicKeyInfo(list[i][(separator + 1)..]) is not { } spki)
            {
                throw new FormatException($"entry {i + 1} of {list.Count} ({serial}): not the base64 of an RSA public key or certificate.");
            }
            if (!keys.TryAdd(serial, spki))
            {
                throw new FormatException($"entry {i + 1} of {list.Count}: serial {serial} is listed twice.");
            }
        }
        var serials = list.Select(entry => entry[..entry.IndexOf('=', StringComparison.Ordinal)]).ToArray();
        return new PlatformKeyring(keys, serials.FirstOrDefault(s => s.StartsWith(PublicKeyIdPrefix, StringComparison.Ordinal)) ?? serials.FirstOrDefault());
    }

    /// <summary>Why the entries do not parse, or null when they do (an empty list included: then every signature is refused).</summary>
    public static string? FormatError(string entries)
    {
        try
        {
            Parse(entries);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>How WeChat Pay names a public key (as opposed to a platform certificate's hex serial).</summary>
    public const string PublicKeyIdPrefix = "PUB_KEY_ID_";

    public bool Knows(string serial) => keys.ContainsKey(serial);

    /// <summary>True when <paramref name="signature"/> is SHA256withRSA (PKCS#1 v1.5) over <paramref name="message"/> by the key of <paramref name="serial"/>.</summary>
    public bool Verify(string serial, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (!keys.TryGetValue(serial, out var spki))
        {
            return false;
        }
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(spki, out _);
        return rsa.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static byte[]? SubjectPublicKeyInfo(string base64)
    {
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return null;
        }
        var der = buffer.AsSpan(0, written);
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(der, out _);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
            // Not a bare public key: perhaps a platform certificate (the older of the two schemes).
        }
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            using var rsa = certificate.GetRSAPublicKey();
            return rsa?.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
