using System.Collections.Concurrent;
using Microsoft.Playwright;
using Payments.Storage;
using static Microsoft.Playwright.Assertions;

namespace Payments.Tests.Console;

/// <summary>
/// Issue 25, items 9 to 11, in a real browser (headless Chromium): the function key a console was
/// opened with leaves the address bar and travels only as a header; a page on another site can
/// neither post the console's actions nor show the console in a frame; and the console runs under
/// its own Content-Security-Policy without a violation.
/// </summary>
public sealed class ConsoleBrowserSecurityTests(ConsoleBrowser console) : IClassFixture<ConsoleBrowser>
{
    private Uri Base => console.Pipeline.Host.BaseAddress;

    private static bool IsDataCall(IRequest request) =>
        new Uri(request.Url).AbsolutePath.StartsWith("/api/ops/console/", StringComparison.Ordinal) && !request.Url.Contains("/assets/", StringComparison.Ordinal);

    [Fact]
    public async Task Opened_with_a_function_key_the_console_takes_it_out_of_the_address_bar_and_sends_it_only_as_a_header()
    {
        var page = await console.NewPageAsync();
        var requests = new ConcurrentQueue<IRequest>();
        var violations = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Enqueue(message.Text);
            }
        };

        await page.GotoAsync(new Uri(Base, "api/ops/console?code=key%2Bone&q=nobody-webkey").ToString());

        await Expect(page.Locator("#timeline")).ToContainTextAsync("Nothing found for \"nobody-webkey\".");
        await Expect(page.Locator("#live")).ToContainTextAsync("dead letters");
        Assert.Equal(new Uri(Base, "api/ops/console?q=nobody-webkey").ToString(), page.Url);
        // Replaced, not pushed: Back goes to where the tab was before (nothing), never to the address with the key.
        await page.GoBackAsync();
        Assert.Equal("about:blank", page.Url);
        await page.GoForwardAsync();
        Assert.Equal(new Uri(Base, "api/ops/console?q=nobody-webkey").ToString(), page.Url);

        await page.ReloadAsync(); // the key stays with the tab, not with the address
        await Expect(page.Locator("#timeline")).ToContainTextAsync("Nothing found for \"nobody-webkey\".");
        await Expect(page.Locator("#live")).ToContainTextAsync("dead letters");
        Assert.Equal(new Uri(Base, "api/ops/console?q=nobody-webkey").ToString(), page.Url);

        var all = requests.ToList();
        var opening = Assert.Single(all, r => r.Url.Contains("code=", StringComparison.Ordinal));
        Assert.True(opening.IsNavigationRequest, "Only the operator's own opening of the page names the key.");
        var dataCalls = all.Where(IsDataCall).ToList();
        Assert.True(dataCalls.Count(r => new Uri(r.Url).AbsolutePath == "/api/ops/console/search") >= 2, "A search before and after the reload.");
        foreach (var call in dataCalls)
        {
            var headers = await call.AllHeadersAsync();
            Assert.Equal("key+one", headers.GetValueOrDefault("x-functions-key"));
        }
        var assets = all.Where(r => r.Url.Contains("/api/ops/console/assets/", StringComparison.Ordinal)).ToList();
        Assert.Contains(assets, r => r.Url.EndsWith("/console.js", StringComparison.Ordinal));
        foreach (var request in all.Where(r => r != opening))
        {
            var headers = await request.AllHeadersAsync();
            Assert.False(headers.ContainsKey("referer") && headers["referer"].Contains("code=", StringComparison.Ordinal), $"{request.Url} names the key in its Referer.");
            if (!IsDataCall(request))
            {
                Assert.False(headers.ContainsKey("x-functions-key"), $"{request.Url} carries the key: the console's files need none.");
            }
        }
        Assert.Empty(violations);
    }

    [Fact]
    public async Task A_page_on_another_site_that_auto_submits_a_text_plain_form_to_the_console_actions_is_refused_and_discards_nothing()
    {
        var letter = await ConsoleScenarios.ParkedWithoutCallbackAsync(console.Pipeline, "webcsrf1");
        var actions = new Uri(Base, "api/ops/console/actions").ToString();
        // The attack of the issue: name=value of a text/plain form reads as the console's JSON.
        var name = "{\"action\":\"discard\",\"filter\":{\"ids\":[\"" + letter + "\"]},\"reason\":\"spam\",\"dryRun\":false,\"pad\":\"";
        var html = $$"""
            <!doctype html><form method="post" enctype="text/plain" action="{{actions}}"><input name='{{name}}' value='"}'></form>
            <script>document.forms[0].submit();</script>
            """;
        await using var attacker = await AttackerSite.StartAsync(html);
        var page = await console.NewPageAsync();

        var reply = await page.RunAndWaitForResponseAsync(() => page.GotoAsync(attacker.Page.ToString()), r => r.Url == actions);

        Assert.Equal(403, reply.Status);
        Assert.Equal("POST", reply.Request.Method);
        Assert.Equal("text/plain", (await reply.Request.AllHeadersAsync())["content-type"]);
        Assert.Equal(LetterStatus.Parked, (await console.Pipeline.Service<DeadLetterStore>().GetAsync(letter))!.Status);
    }

    [Fact]
    public async Task A_page_on_another_site_cannot_show_the_console_in_a_frame()
    {
        var consoleUrl = new Uri(Base, "api/ops/console").ToString();
        var html = $"""<!doctype html><title>framing</title><iframe src="{consoleUrl}" onload="document.title = 'frame done'"></iframe>""";
        await using var attacker = await AttackerSite.StartAsync(html);
        var page = await console.NewPageAsync();

        var served = await page.RunAndWaitForResponseAsync(() => page.GotoAsync(attacker.Page.ToString()), r => r.Url == consoleUrl);
        await Expect(page).ToHaveTitleAsync("frame done");

        // The app answered; the browser refused to render it inside another site's page.
        Assert.Equal(200, served.Status);
        Assert.Equal("DENY", await served.HeaderValueAsync("x-frame-options"));
        var frame = Assert.Single(page.Frames, f => f != page.MainFrame);
        Assert.Equal(0, await frame.Locator("#live").CountAsync());
        Assert.NotEqual("Payments operator console", await frame.TitleAsync());
        // Chromium's own error page in its place names the cause: the response's headers, not the network.
        Assert.Contains("ERR_BLOCKED_BY_RESPONSE", await frame.ContentAsync(), StringComparison.Ordinal);
    }
}
