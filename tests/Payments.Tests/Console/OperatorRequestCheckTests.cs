using Payments.Hosting;

namespace Payments.Tests.Console;

/// <summary>
/// Issue 25, item 9, the decision alone (no host, milliseconds): which operator requests a page on
/// another site could have made a browser send. <see cref="OperatorForgeryTests"/> shows the routes use it.
/// </summary>
public sealed class OperatorRequestCheckTests
{
    private const string Host = "payments.example.net";

    [Theory]
    // The console in a browser: same-origin JSON, with or without a port, behind TLS termination.
    [InlineData("POST", Host, "https://payments.example.net", "same-origin", "application/json", true, OperatorRequestVerdict.Allowed)]
    [InlineData("POST", "127.0.0.1:7071", "http://127.0.0.1:7071", "same-origin", "application/json; charset=utf-8", true, OperatorRequestVerdict.Allowed)]
    [InlineData("PUT", Host, "https://PAYMENTS.example.net", null, "Application/JSON", true, OperatorRequestVerdict.Allowed)]
    // No browser: curl, a server with the function key or a token; a bodyless post.
    [InlineData("POST", Host, null, null, "application/json", true, OperatorRequestVerdict.Allowed)]
    [InlineData("POST", Host, null, null, null, false, OperatorRequestVerdict.Allowed)]
    [InlineData("POST", Host, null, "none", null, false, OperatorRequestVerdict.Allowed)]
    // Another site, by the browser's word.
    [InlineData("POST", Host, "https://attacker.example", "cross-site", "text/plain", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, "https://attacker.example", null, "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, null, "cross-site", "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, null, "same-site", "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, "https://payments.example.net", "cross-site", "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("DELETE", Host, "null", null, null, false, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, "https://payments.example.net.attacker.example", null, "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, "https://payments.example.net:8443", null, "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, "https://payments.example.net/path", null, "application/json", true, OperatorRequestVerdict.CrossSite)]
    [InlineData("POST", Host, "https://payments.example.net, https://attacker.example", null, "application/json", true, OperatorRequestVerdict.CrossSite)]
    // What forms send, or a body without a type.
    [InlineData("POST", Host, null, null, "text/plain", true, OperatorRequestVerdict.NotJson)]
    [InlineData("POST", Host, null, null, "application/x-www-form-urlencoded", false, OperatorRequestVerdict.NotJson)]
    [InlineData("POST", Host, null, null, "multipart/form-data; boundary=x", true, OperatorRequestVerdict.NotJson)]
    [InlineData("PUT", Host, null, null, null, true, OperatorRequestVerdict.NotJson)]
    [InlineData("POST", Host, null, null, "application/json-seq", true, OperatorRequestVerdict.NotJson)]
    // Reading changes nothing: links from anywhere open the console and its views.
    [InlineData("GET", Host, "https://attacker.example", "cross-site", null, false, OperatorRequestVerdict.Allowed)]
    [InlineData("HEAD", Host, null, "cross-site", "text/plain", false, OperatorRequestVerdict.Allowed)]
    public void A_changing_request_must_be_json_and_must_not_come_from_another_site(
        string method, string host, string? origin, string? fetchSite, string? contentType, bool hasBody, OperatorRequestVerdict expected)
    {
        Assert.Equal(expected, OperatorRequestCheck.Judge(method, host, origin, fetchSite, contentType, hasBody));
    }
}
