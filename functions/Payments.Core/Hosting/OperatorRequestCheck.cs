namespace Payments.Hosting;

/// <summary>What <see cref="OperatorRequestCheck"/> decided about an operator request.</summary>
public enum OperatorRequestVerdict
{
    Allowed,

    /// <summary>A browser says the request comes from another site (403).</summary>
    CrossSite,

    /// <summary>A body (or a content type) other than <c>application/json</c> on a changing request (415).</summary>
    NotJson,
}

/// <summary>
/// Refuses what a page on another site can make an operator's browser send to <c>/api/ops</c>. A
/// browser attaches the operator's credentials (the App Service session cookie; locally there are
/// none) to a cross-site form post, so a hostile page could otherwise discard parked work. Two
/// independent checks, both cheap: a changing request (anything but GET/HEAD/OPTIONS) must carry
/// JSON — a form can only send <c>text/plain</c>, <c>multipart/form-data</c> or urlencoded bodies,
/// and a cross-site <c>fetch</c> with <c>application/json</c> needs a CORS preflight this app never
/// grants — and must not come from another site by the browser's own word (<c>Sec-Fetch-Site</c>,
/// <c>Origin</c>). A caller without either header (curl, a server with the function key or a token)
/// is not a browser on another site and is allowed.
/// </summary>
public static class OperatorRequestCheck
{
    public static OperatorRequestVerdict Judge(
        string method, string host, string? origin, string? fetchSite, string? contentType, bool hasBody)
    {
        if (IsSafe(method))
        {
            return OperatorRequestVerdict.Allowed;
        }
        if (IsCrossSite(host, origin, fetchSite))
        {
            return OperatorRequestVerdict.CrossSite;
        }
        return string.IsNullOrWhiteSpace(contentType) ? (hasBody ? OperatorRequestVerdict.NotJson : OperatorRequestVerdict.Allowed)
            : IsJson(contentType) ? OperatorRequestVerdict.Allowed
            : OperatorRequestVerdict.NotJson;
    }

    // "same-origin" and "none" (the operator's own navigation) pass; "same-site" is a sibling host,
    // which is not the console either. An Origin (including "null", a sandboxed or local page) must
    // name this host: the console calls only its own origin.
    private static bool IsCrossSite(string host, string? origin, string? fetchSite) =>
        fetchSite is { Length: > 0 } site && !site.Equals("same-origin", StringComparison.OrdinalIgnoreCase) && !site.Equals("none", StringComparison.OrdinalIgnoreCase)
        || origin is { Length: > 0 } && !IsOwnHost(origin, host);

    // The scheme is not compared: in Azure TLS ends before the app, which then sees plain http.
    private static bool IsOwnHost(string origin, string host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from) || from.Scheme is not ("http" or "https") || from.AbsolutePath != "/")
        {
            return false;
        }
        if (!Uri.TryCreate($"{from.Scheme}://{host}/", UriKind.Absolute, out var own))
        {
            return false;
        }
        return from.IdnHost.Equals(own.IdnHost, StringComparison.OrdinalIgnoreCase) && from.Port == own.Port;
    }

    private static bool IsJson(string contentType) =>
        contentType.Split(';', 2)[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static bool IsSafe(string method) =>
        method.Equals("GET", StringComparison.OrdinalIgnoreCase) || method.Equals("HEAD", StringComparison.OrdinalIgnoreCase)
        || method.Equals("OPTIONS", StringComparison.OrdinalIgnoreCase);
}
