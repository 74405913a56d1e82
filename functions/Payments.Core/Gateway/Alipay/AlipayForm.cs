using System.Text;
using System.Web;

namespace Payments.Gateway.Alipay;

/// <summary>
/// A form-urlencoded body as Alipay sends it: each value percent-decoded in the body's own
/// <c>charset</c> parameter (UTF-8 unless it says GBK), each key at most once.
/// </summary>
public static class AlipayForm
{
    private const string CharsetField = "charset";

    static AlipayForm() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The decoded fields, or null when the body is not a form Alipay could have signed.</summary>
    public static IReadOnlyDictionary<string, string>? Parse(byte[] body)
    {
        // A urlencoded body is printable ASCII; anything else was not encoded by Alipay.
        if (body.Any(b => b is < (byte)' ' or > (byte)'~'))
        {
            return null;
        }
        var raw = Encoding.ASCII.GetString(body);
        var pairs = raw.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToArray();
        var charset = pairs.FirstOrDefault(p => p[0] == CharsetField) is [_, var value] ? HttpUtility.UrlDecode(value, Encoding.ASCII) : null;
        if (EncodingOf(charset) is not { } encoding)
        {
            return null;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var key = HttpUtility.UrlDecode(pair[0], encoding);
            var decoded = pair.Length == 2 ? HttpUtility.UrlDecode(pair[1], encoding) : "";
            if (key.Length == 0 || !fields.TryAdd(key, decoded))
            {
                return null;
            }
        }
        return fields;
    }

    /// <summary>
    /// The charset the fields were sent in (their <c>charset</c>, UTF-8 without one): Alipay signs the
    /// content encoded in it, so a GBK notification's signature covers GBK bytes.
    /// </summary>
    public static Encoding CharsetOf(IReadOnlyDictionary<string, string> fields) =>
        EncodingOf(fields.GetValueOrDefault(CharsetField))
        ?? throw new ArgumentException("The fields name a charset Alipay does not send.", nameof(fields));

    /// <summary>Encodes fields as a UTF-8 form body (for requests to the gateway and for tests).</summary>
    public static string Encode(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    private static Encoding? EncodingOf(string? charset)
    {
        if (charset is null)
        {
            return Encoding.UTF8;
        }
        try
        {
            var encoding = Encoding.GetEncoding(charset.Trim());
            // Only what Alipay sends: UTF-8 or the GB family.
            return encoding.CodePage is 65001 or 936 or 54936 ? encoding : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
