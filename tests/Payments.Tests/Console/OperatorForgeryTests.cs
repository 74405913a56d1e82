using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Console;

/// <summary>
/// Issue 25, item 9, over HTTP on the local host (the same function classes the Functions app
/// runs): a page on another site cannot make an operator's browser change anything under
/// <c>/api/ops</c> (cross-site → 403, a body that is not JSON → 415, nothing discarded), and the console's
/// own same-origin JSON still works.
/// </summary>
public sealed class OperatorForgeryTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
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
}
