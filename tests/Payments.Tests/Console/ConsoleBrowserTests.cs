using Microsoft.Playwright;
using Payments.Storage;
using static Microsoft.Playwright.Assertions;

namespace Payments.Tests.Console;

/// <summary>
/// Issue 14, item 4: a real browser (headless Chromium through Playwright) drives the operator
/// console on the real pipeline: find a payment, read its timeline, bulk re-drive by filter after a
/// dry run, discard one with a reason and find it in the audit trail. Never skipped: without a
/// Chromium the fixture fails.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleBrowser console) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task An_operator_finds_a_payment_by_id_and_reads_its_timeline_after_a_lost_then_recovered_callback()
    {
        var order = await ConsoleScenarios.LostThenRecoveredAsync(console.Pipeline, "web1");
        var page = await console.OpenConsoleAsync();

        await page.FillAsync("#q", order.PaymentId);
        await page.ClickAsync("#search");

        await Expect(page.Locator("#timeline h2")).ToContainTextAsync($"Order {order.OrderId}: Completed");
        await Expect(page.Locator("#hits tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("tr.entry-query")).ToContainTextAsync("Paid 2500 EUR");
        var deliveries = page.Locator("tr.entry-callback");
        await Expect(deliveries).ToHaveCountAsync(2);
        await Expect(deliveries.Nth(1)).ToContainTextAsync("duplicate: yes");
        await Expect(page.Locator("tr.entry-saga", new() { HasText = "SettlePaidOrder completed" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#timeline .summary")).ToContainTextAsync("Saga steps from the Durable history.");

        await deliveries.First.Locator("button.raw-body").ClickAsync();
        await Expect(deliveries.First.Locator("pre.body")).ToContainTextAsync(order.PaymentId);
        await ConsoleBrowser.ScreenshotAsync(page, "timeline.png");
    }

    [Fact]
    public async Task An_operator_bulk_redrives_parked_dead_letters_by_filter_after_a_dry_run()
    {
        var letters = await ConsoleScenarios.ParkedUnknownOrdersAsync(console.Pipeline, "webbulk1", "webbulk2", "webbulk3");
        var page = await console.OpenConsoleAsync("heidi@local");
        await page.ClickAsync("nav button[data-view=work]");

        await page.Locator("#groups tr", new() { HasText = "unknown_order" }).Locator("button.use-filter").ClickAsync();
        await Expect(page.Locator("#f-reason")).ToHaveValueAsync("unknown_order");
        await page.SelectOptionAsync("#action", "redrive");
        await page.FillAsync("#per-second", "2");
        await page.ClickAsync("#dry-run");

        await Expect(page.Locator("#bulk-result h3")).ToContainTextAsync("Dry run: would redrive 3 of 3 matching");
        await Expect(page.Locator("#bulk-items li")).ToHaveCountAsync(3);
        foreach (var id in letters.Values)
        {
            Assert.Equal(LetterStatus.Parked, (await console.Pipeline.Service<DeadLetterStore>().GetAsync(id))!.Status);
        }
        await ConsoleBrowser.ScreenshotAsync(page, "work-queue-dry-run.png");

        await page.ClickAsync("#run");

        await Expect(page.Locator("#bulk-result h3")).ToContainTextAsync("Done: redrive 3 of 3 matching", new() { Timeout = 30_000 });
        await Expect(page.Locator("#bulk-items li", new() { HasText = "Applied" })).ToHaveCountAsync(3);
        await Expect(page.Locator("#groups tr", new() { HasText = "unknown_order" })).ToHaveCountAsync(0);
        foreach (var (orderId, id) in letters)
        {
            Assert.Equal(LetterStatus.Redriven, (await console.Pipeline.Service<DeadLetterStore>().GetAsync(id))!.Status);
            Assert.Equal(Payments.Contracts.OrderStatus.Completed, (await console.Pipeline.WaitForOutcomeAsync(orderId)).Status);
        }
    }

    [Fact]
    public async Task An_operator_discards_one_with_a_reason_and_sees_it_in_the_audit_trail()
    {
        var letter = await ConsoleScenarios.ParkedWithoutCallbackAsync(console.Pipeline, "webgone1");
        var page = await console.OpenConsoleAsync("ivan@local");
        await page.ClickAsync("nav button[data-view=work]");

        await page.FillAsync("#reason", "payment settled by hand with the customer");
        await page.Locator($"#items tr[data-id='{letter}'] button.act-discard").ClickAsync();

        await Expect(page.Locator("#bulk-items li")).ToContainTextAsync($"{letter} (dead_letter, order webgone1): Discarded");
        await Expect(page.Locator($"#items tr[data-id='{letter}']")).ToHaveCountAsync(0);
        Assert.Equal(LetterStatus.Discarded, (await console.Pipeline.Service<DeadLetterStore>().GetAsync(letter))!.Status);

        await page.ClickAsync("nav button[data-view=audit]");
        var row = page.Locator("#audit tbody tr", new() { HasText = letter }).Filter(new() { HasText = "discards dead letter" });
        await Expect(row).ToContainTextAsync("ivan@local [unverified]");
        await Expect(row).ToContainTextAsync("payment settled by hand with the customer");
        await ConsoleBrowser.ScreenshotAsync(page, "audit-trail.png");
    }
}
