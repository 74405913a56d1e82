using System.Reflection;

namespace Payments.Functions.Http;

/// <summary>The operator console's static files (page, script, style), embedded in this assembly so both hosts serve the same bytes.</summary>
public static class ConsoleAsset
{
    /// <summary>
    /// Scripts, styles and calls only from the app itself, no inline script, and no framing by any
    /// page (with <c>X-Frame-Options</c> for browsers that predate <c>frame-ancestors</c>): another
    /// site can neither run code in the console nor overlay it to steer an operator's clicks.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["console.js"] = "text/javascript; charset=utf-8",
        ["console.css"] = "text/css; charset=utf-8",
    };

    /// <summary>
    /// The file as a reply with the console's browser policy. <c>Referrer-Policy: no-referrer</c>:
    /// the page may have been opened with <c>?code=</c>, which a Referer would copy onto the asset requests.
    /// </summary>
    public static HttpReply? Serve(string name) => Find(name) is { } file
        ? HttpReply.Text(200, file.ContentType, file.Text)
            .WithHeader("Content-Security-Policy", ContentSecurityPolicy)
            .WithHeader("X-Frame-Options", "DENY")
            .WithHeader("X-Content-Type-Options", "nosniff")
            .WithHeader("Referrer-Policy", "no-referrer")
        : null;

    /// <summary>The file and its content type, or null for a name the console does not have.</summary>
    public static (string Text, string ContentType)? Find(string name)
    {
        if (!ContentTypes.TryGetValue(name, out var contentType))
        {
            return null;
        }
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("console/" + name)
            ?? throw new InvalidOperationException($"The console file {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), contentType);
    }
}
