using System.Reflection;

namespace Payments.Functions.Http;

/// <summary>The operator console's static files (page, script, style), embedded in this assembly so both hosts serve the same bytes.</summary>
public static class ConsoleAsset
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["console.js"] = "text/javascript; charset=utf-8",
        ["console.css"] = "text/css; charset=utf-8",
    };

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
