using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Payments.Contracts;
using Payments.Hosting;

namespace Payments.Functions.Http;

/// <summary>
/// The gate every <c>/api/ops</c> route passes first, in both hosts: refuses what another site's page
/// could make an operator's browser send (<see cref="OperatorRequestCheck"/>: 403 cross-site, 415 not
/// JSON), reads the operator behind a request from the headers App Service authentication injects
/// (<c>X-MS-CLIENT-PRINCIPAL</c>: base64 JSON with the token's claims; <c>X-MS-CLIENT-PRINCIPAL-NAME</c>
/// and <c>-ID</c>) and checks the operator app role when sign-in is required.
/// </summary>
public static class OperatorPrincipal
{
    private const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    private const string NameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    private const string IdHeader = "X-MS-CLIENT-PRINCIPAL-ID";
    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    /// <summary>The caller, or the refusal to answer with instead (403 cross-site, 415 not JSON, 401 not signed in, 403 without the role).</summary>
    public static HttpReply? Refuse(HttpRequest request, OperatorAccessOptions access, out OperatorCaller caller)
    {
        var claims = ReadClaims(request.Headers[PrincipalHeader].ToString());
        var name = First(request.Headers[NameHeader].ToString(), Claim(claims, "preferred_username"), Claim(claims, "name"), Claim(claims, "appid"), Claim(claims, "azp"));
        var objectId = First(request.Headers[IdHeader].ToString(), Claim(claims, "oid"), Claim(claims, ObjectIdClaim));
        caller = new OperatorCaller(name ?? objectId ?? "anonymous", objectId, Verified: access.RequireSignIn && claims is not null);
        if (Forged(request) is { } forged)
        {
            return forged;
        }
        if (!access.RequireSignIn)
        {
            return null;
        }
        if (claims is null)
        {
            return HttpReply.Problem(401, "Sign in with Entra ID to use the operator API.");
        }
        var roles = claims.Where(c => c.Type is "roles" or "http://schemas.microsoft.com/ws/2008/06/identity/claims/role").Select(c => c.Value);
        return roles.Contains(access.Role, StringComparer.Ordinal)
            ? null
            : HttpReply.Problem(403, "The operator API needs an app role this caller does not hold.", access.Role);
    }

    private static HttpReply? Forged(HttpRequest request) => OperatorRequestCheck.Judge(
            request.Method,
            request.Host.Value ?? "",
            request.Headers.Origin.ToString(),
            request.Headers["Sec-Fetch-Site"].ToString(),
            request.ContentType,
            hasBody: request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0)) switch
        {
            OperatorRequestVerdict.CrossSite => HttpReply.Problem(403, "The operator API refuses requests from another site.",
                "Origin or Sec-Fetch-Site names a site other than this one; use the console on this host, or call without a browser."),
            OperatorRequestVerdict.NotJson => HttpReply.Problem(415, "The operator API takes application/json bodies only.",
                "Send Content-Type: application/json, or no body and no content type."),
            _ => null,
        };

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static string? Claim(IReadOnlyList<PrincipalClaim>? claims, string type) => claims?.FirstOrDefault(c => c.Type == type)?.Value;

    private static IReadOnlyList<PrincipalClaim>? ReadClaims(string header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }
        try
        {
            var principal = JsonSerializer.Deserialize<ClientPrincipal>(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            return principal?.Claims?.Where(c => c.Type is not null && c.Value is not null).ToList();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record ClientPrincipal(
        [property: System.Text.Json.Serialization.JsonPropertyName("claims")] IReadOnlyList<PrincipalClaim>? Claims);

    private sealed record PrincipalClaim(
        [property: System.Text.Json.Serialization.JsonPropertyName("typ")] string Type,
        [property: System.Text.Json.Serialization.JsonPropertyName("val")] string Value);
}
