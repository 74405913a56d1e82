using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Functions.Http;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Console;

/// <summary>
/// Issue 25, items 9 and 10, over HTTP on the local host (the same function classes the Functions app
/// runs): a page on another site cannot make an operator's browser change anything under
/// <c>/api/ops</c> (cross-site → 403, a body that is not JSON → 415, nothing discarded), the console's
/// own same-origin JSON still works, and the console's page and files refuse framing and foreign scripts.
/// </summary>
public sealed partial class OperatorForgeryTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private const string Attacker = "http://attacker.example";

    private PipelineHost Pipeline => fixture.Pipeline;

    private string OwnOrigin => Pipeline.Host.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>What a hostile page's auto-submitted <c>enctype="text/plain"</c> form sends: <c>name=value</c> that reads as JSON.</summary>
    private static StringContent TextPlainForm(string letter) => new(
        "{\"action\":\"discard\",\"filter\":{\"ids\":[\"" + letter + "\"]},\"reason\":\"spam\",\"dryRun\":false,\"pad\":\"=\"}",
        Encoding.UTF8, "text/plain");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? origin = null, string? fetchSite = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }
        return await Pipeline.Http.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpStatusCode expected, HttpResponseMessage reply)
    {
        Assert.Equal(expected, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
    }

    private async Task<LetterStatus> StatusOf(string letter) => (await Pipeline.Service<DeadLetterStore>().GetAsync(letter))!.Status;

    [Fact]
    public async Task A_cross_site_form_or_json_post_to_the_console_actions_discards_nothing_and_the_consoles_own_json_post_does()
    {
        var letters = new[] { await ConsoleScenarios.ParkedWithoutCallbackAsync(Pipeline, "csrf1"), await ConsoleScenarios.ParkedWithoutCallbackAsync(Pipeline, "csrf2") };
        var discard = new { action = "discard", filter = new { ids = letters }, reason = "spam", dryRun = false };

        // The attack of the issue: another site's page auto-submits a text/plain form.
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/console/actions", TextPlainForm(letters[0]), Attacker, "cross-site"));
        // The same form from a browser that names no site: not JSON.
        await AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, await SendAsync(HttpMethod.Post, "api/ops/console/actions", TextPlainForm(letters[0])));
        // JSON from another site: by Origin, by Sec-Fetch-Site (cross-site or a sibling host), from an opaque origin.
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/console/actions", JsonContent.Create(discard), Attacker));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/console/actions", JsonContent.Create(discard), fetchSite: "cross-site"));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/console/actions", JsonContent.Create(discard), fetchSite: "same-site"));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/console/actions", JsonContent.Create(discard), "null"));
        // A page on this host's name but another port is another origin.
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/console/actions", JsonContent.Create(discard),
            $"{Pipeline.Host.BaseAddress.Scheme}://{Pipeline.Host.BaseAddress.Host}:{Pipeline.Host.BaseAddress.Port + 1}"));

        foreach (var letter in letters)
        {
            Assert.Equal(LetterStatus.Parked, await StatusOf(letter));
        }
        Assert.DoesNotContain(await Pipeline.Service<AuditTrail>().ListAsync(200), a => letters.Contains(a.Target));

        // The console itself: same-origin JSON, as Chromium sends it.
        using var own = await SendAsync(HttpMethod.Post, "api/ops/console/actions", JsonContent.Create(discard with { filter = new { ids = new[] { letters[0] } } }), OwnOrigin, "same-origin");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(LetterStatus.Discarded, await StatusOf(letters[0]));
        Assert.Equal(LetterStatus.Parked, await StatusOf(letters[1]));
    }

    [Fact]
    public async Task Every_changing_operator_route_refuses_forms_and_other_sites_and_a_caller_without_a_browser_is_served()
    {
        var letter = await ConsoleScenarios.ParkedWithoutCallbackAsync(Pipeline, "csrf3");
        var id = Uri.EscapeDataString(letter);
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-csrf3", 7);
        var form = () => new FormUrlEncodedContent([new("reason", "spam")]);

        await AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, await SendAsync(HttpMethod.Post, $"api/ops/dead-letters/{id}/discard", form()));
        await AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, await SendAsync(HttpMethod.Post, $"api/ops/dead-letters/{id}/discard",
            new ByteArrayContent("{\"reason\":\"spam\"}"u8.ToArray())));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, $"api/ops/dead-letters/{id}/discard", JsonContent.Create(new { reason = "spam" }), Attacker, "cross-site"));
        // A form with no fields still names its content type; a bodyless cross-site post is refused by its origin.
        await AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, await SendAsync(HttpMethod.Post, "api/ops/dead-letters/redrive-all", new StringContent("", Encoding.UTF8, "application/x-www-form-urlencoded")));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "api/ops/dead-letters/redrive-all", null, Attacker));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Put, "api/ops/stock/sku-csrf3", JsonContent.Create(new { available = 0 }), Attacker, "cross-site"));
        await AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, await SendAsync(HttpMethod.Put, "api/ops/stock/sku-csrf3", new StringContent("{\"available\":0}", Encoding.UTF8, "text/plain")));

        Assert.Equal(LetterStatus.Parked, await StatusOf(letter));
        Assert.Equal(7, (await Pipeline.Service<StockLedger>().GetVersionedLevelAsync("sku-csrf3"))!.Level.Available);

        // curl, or a server holding the function key: no Origin, no Sec-Fetch-Site.
        using var stock = await SendAsync(HttpMethod.Put, "api/ops/stock/sku-csrf3", JsonContent.Create(new { available = 5 }));
        Assert.Equal(HttpStatusCode.OK, stock.StatusCode);
        Assert.Equal(5, (await Pipeline.Service<StockLedger>().GetVersionedLevelAsync("sku-csrf3"))!.Level.Available);
        using var discarded = await SendAsync(HttpMethod.Post, $"api/ops/dead-letters/{id}/discard", JsonContent.Create(new { reason = "test letter" }));
        Assert.Equal(HttpStatusCode.OK, discarded.StatusCode);
        Assert.Equal(LetterStatus.Discarded, await StatusOf(letter));
        // Reading stays open to a link from anywhere (nothing changes, and another site cannot read the answer).
        using var read = await SendAsync(HttpMethod.Get, "api/ops/console/live", null, Attacker, "cross-site");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("api/ops/console", "text/html; charset=utf-8")]
    [InlineData("api/ops/console/assets/console.js", "text/javascript; charset=utf-8")]
    [InlineData("api/ops/console/assets/console.css", "text/css; charset=utf-8")]
    public async Task The_console_page_and_its_files_refuse_framing_and_scripts_from_anywhere_but_the_app(string path, string contentType)
    {
        using var reply = await Pipeline.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(contentType, reply.Content.Headers.ContentType?.ToString());
        var policy = Assert.Single(reply.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ') + 1)..]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["style-src"]);
        Assert.Equal("'none'", directives["default-src"]);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(reply.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(reply.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(reply.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_handler_and_names_no_function_key_even_when_opened_with_one()
    {
        using var reply = await Pipeline.Http.GetAsync("api/ops/console?code=k%2B1");
        var page = await reply.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var scripts = ScriptTag().Matches(page);
        Assert.Equal(["console/assets/console.js"], scripts.Select(s => s.Groups["src"].Value));
        Assert.All(scripts, s => Assert.Empty(s.Groups["inline"].Value.Trim()));
        Assert.DoesNotMatch(InlineHandler(), page);
        Assert.DoesNotContain("javascript:", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("code=", page, StringComparison.Ordinal);
        Assert.DoesNotContain("k+1", Uri.UnescapeDataString(page), StringComparison.Ordinal);
        Assert.Equal(ConsoleAsset.Find("index.html")!.Value.Text, page); // served as embedded, nothing substituted
    }

    [GeneratedRegex(@"<script(?:\s+src=""(?<src>[^""]*)"")?[^>]*>(?<inline>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"<[^>]+\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
