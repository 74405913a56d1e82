using System.Security.Cryptography;
using System.Text;

namespace Payments.Gateway.Alipay;

/// <summary>
/// Alipay's RSA2 scheme (SHA256withRSA, PKCS#1 v1.5, base64): the signed content of a parameter set
/// is every parameter with a non-empty value, keys sorted ordinally, joined <c>k=v&amp;k=v</c> with
/// the values as they are (URL-decoded, never re-encoded), as bytes of the parameters' charset (UTF-8
/// for the connector's own requests; a notification's own <c>charset</c>, see <see cref="AlipayForm.CharsetOf"/>).
/// Asynchronous notifications leave <c>sign</c> and <c>sign_type</c> out of it; a request leaves out only <c>sign</c>.
/// </summary>
public static class AlipaySignature
{
    public const string SignField = "sign";
    public const string SignTypeField = "sign_type";

    /// <summary>The content a notification's signature covers.</summary>
    public static string NotificationContent(IEnumerable<KeyValuePair<string, string>> parameters) =>
        Content(parameters, [SignField, SignTypeField]);

    /// <summary>The content a request's signature covers.</summary>
    public static string RequestContent(IEnumerable<KeyValuePair<string, string>> parameters) =>
        Content(parameters, [SignField]);

    public static string Sign(RSA privateKey, string content) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.UTF8.GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>True when the base64 signature is any of the keys' signature over the content (several during a key rotation).</summary>
    public static bool Verify(IEnumerable<RSA> publicKeys, ReadOnlySpan<byte> content, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }
        var buffer = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, buffer, out var written))
        {
            return false;
        }
        var presented = buffer.AsSpan(0, written);
        foreach (var key in publicKeys)
        {
            try
            {
                if (key.VerifyData(content, presented, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    return true;
                }
            }
            catch (CryptographicException)
            {
                // A signature of the wrong length for this key: not this key's.
            }
        }
        return false;
    }

    /// <summary>
    /// Reads an Alipay public key as the open platform shows it: the base64 of an X.509
    /// SubjectPublicKeyInfo, no PEM armour (so several fit in one setting, separated by spaces or commas).
    /// </summary>
    public static RSA PublicKey(string text)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text.Trim()), out _);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the app's private key as Alipay's key tool writes it: base64 PKCS#8 (the "Java" format)
    /// or base64 PKCS#1 (the "non-Java" format), or PEM of either.
    /// </summary>
    public static RSA PrivateKey(string text)
    {
        var rsa = RSA.Create();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                rsa.ImportFromPem(text);
                return rsa;
            }
            var der = Convert.FromBase64String(text.Trim());
            try
            {
                rsa.ImportPkcs8PrivateKey(der, out _);
            }
            catch (CryptographicException)
            {
                rsa.ImportRSAPrivateKey(der, out _);
            }
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static string Content(IEnumerable<KeyValuePair<string, string>> parameters, string[] excluded) =>
        string.Join('&', parameters
            .Where(p => !string.IsNullOrEmpty(p.Value) && !excluded.Contains(p.Key, StringComparer.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
}
