using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Console;

/// <summary>
/// Issue 14: the console's JSON endpoints on the real pipeline (local host, Durable engine on
/// Azurite): search, one timeline per order, the work queue, bulk actions with a dry run and a
/// throttle, and the audit trail.
/// </summary>
public sealed class OperatorConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private async Task<JsonElement> GetAsync(string path)
    {
        using var reply = await Pipeline.Http.GetAsync(path);
        Assert.True(reply.IsSuccessStatusCode, $"{path}: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ActAsync(object request, string operatorName = "erin@local")
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/ops/console/actions") { Content = JsonContent.Create(request) };
        message.Headers.Add("X-MS-CLIENT-PRINCIPAL-NAME", operatorName);
        using var reply = await Pipeline.Http.SendAsync(message);
        return (reply.StatusCode, JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static IEnumerable<string> Titles(JsonElement timeline) =>
        timeline.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("title").GetString()!);

    [Fact]
    public async Task Search_finds_an_order_by_its_id_payment_id_gateway_event_id_and_customer()
    {
        var order = await ConsoleScenarios.LostThenRecoveredAsync(Pipeline, "find1");

        foreach (var (query, by) in new[] { (order.OrderId, "order id"), (order.PaymentId, "payment id"), ("evt_find1", "gateway event id"), (order.CustomerId, "customer") })
        {
            var hits = await GetAsync($"api/ops/console/search?q={Uri.EscapeDataString(query)}");
            var hit = Assert.Single(hits.EnumerateArray());
            Assert.Equal((order.OrderId, by), (hit.GetProperty("orderId").GetString(), hit.GetProperty("matchedBy").GetString()));
        }
        Assert.Empty((await GetAsync("api/ops/console/search?q=nobody-at-all")).EnumerateArray());
    }

    [Fact]
    public async Task The_timeline_of_a_lost_then_recovered_callback_shows_the_query_each_delivery_and_the_saga_steps()
    {
        var order = await ConsoleScenarios.LostThenRecoveredAsync(Pipeline, "lost1");

        var timeline = await GetAsync($"api/ops/console/timeline/{order.OrderId}");

        Assert.Equal("Completed", timeline.GetProperty("status").GetString());
        var entries = timeline.GetProperty("entries").EnumerateArray().ToList();
        var query = Assert.Single(entries, e => e.GetProperty("source").GetString() == "query");
        Assert.Contains("Paid 2500 EUR", query.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var deliveries = entries.Where(e => e.GetProperty("source").GetString() == "callback").ToList();
        Assert.Equal(2, deliveries.Count);
        Assert.Contains("duplicate: no", deliveries[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("duplicate: yes", deliveries[1].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.All(deliveries, d => Assert.Contains("signature verified", d.GetProperty("detail").GetString(), StringComparison.Ordinal));
        // The saga's steps come from the Durable history, with each activity's input and output.
        Assert.True(timeline.GetProperty("fromDurableHistory").GetBoolean());
        Assert.Contains(Titles(timeline), t => t.EndsWith("HoldStock scheduled", StringComparison.Ordinal));
        Assert.Contains(Titles(timeline), t => t.EndsWith("event PaymentEvent received", StringComparison.Ordinal));
        Assert.Contains(Titles(timeline), t => t.EndsWith("SettlePaidOrder completed", StringComparison.Ordinal));
        // Time order: the query's recovery comes before the gateway's late redelivery.
        Assert.True(entries.IndexOf(query) < entries.IndexOf(deliveries[0]));

        var body = deliveries[0].GetProperty("body").GetString()!;
        var raw = await Pipeline.Http.GetStringAsync($"api/ops/console/callbacks/{body.Split('/')[0]}/{Uri.EscapeDataString(body.Split('/')[1])}/body");
        Assert.Contains(order.PaymentId, raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bulk_redrive_by_filter_dry_runs_without_touching_anything_then_applies_each_letter_once_throttled_and_audited()
    {
        var letters = await ConsoleScenarios.ParkedUnknownOrdersAsync(Pipeline, "bulk1", "bulk2", "bulk3");
        var filter = new { kind = "dead_letter", reason = "unknown_order", provider = "standard" };

        var (dryStatus, dry) = await ActAsync(new { action = "redrive", filter, dryRun = true, perSecond = 2 });

        Assert.Equal(HttpStatusCode.OK, dryStatus);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        var listed = dry.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("outcome").GetString());
        Assert.All(letters.Values, id => Assert.Equal("would redrive", listed[id]));
        foreach (var id in letters.Values)
        {
            Assert.Equal(LetterStatus.Parked, (await Pipeline.Service<DeadLetterStore>().GetAsync(id))!.Status);
        }

        var (status, run) = await ActAsync(new { action = "redrive", filter, dryRun = false, perSecond = 2, reason = "order service is back" });

        Assert.Equal(HttpStatusCode.OK, status);
        var outcomes = run.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("outcome").GetString());
        Assert.All(letters.Values, id => Assert.Equal("Applied", outcomes[id]));
        foreach (var (orderId, id) in letters)
        {
            Assert.Equal(LetterStatus.Redriven, (await Pipeline.Service<DeadLetterStore>().GetAsync(id))!.Status);
            Assert.Equal(Payments.Contracts.OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(orderId)).Status);
        }
        var audit = (await GetAsync("api/ops/console/audit")).EnumerateArray().ToList();
        Assert.Contains(audit, a => a.GetProperty("action").GetString()!.StartsWith("runs redrive on", StringComparison.Ordinal)
            && a.GetProperty("operator").GetString() == "erin@local [unverified]" && a.GetProperty("reason").GetString() == "order service is back");
        Assert.All(letters, l => Assert.Contains(audit, a => a.GetProperty("action").GetString() == "re-drives dead letter" && a.GetProperty("target").GetString() == l.Value));

        // The re-driven order's timeline tells the whole story: lane attempts, the dead letter, who re-drove it.
        var timeline = await GetAsync("api/ops/console/timeline/bulk1");
        Assert.Contains(Titles(timeline), t => t.StartsWith("retry-lane attempt 1", StringComparison.Ordinal));
        Assert.Contains(Titles(timeline), t => t == "Dead letter parked: unknown_order");
        Assert.Contains(Titles(timeline), t => t == "Dead letter redriven by erin@local [unverified]");
    }

    [Fact]
    public async Task Discarding_one_needs_a_reason_and_lands_in_the_audit_trail_with_the_operator()
    {
        var letter = await ConsoleScenarios.ParkedWithoutCallbackAsync(Pipeline, "gone1");

        var (refused, problem) = await ActAsync(new { action = "discard", filter = new { ids = new[] { letter } }, dryRun = false });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("reason: required to discard.", problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));

        var (status, run) = await ActAsync(new { action = "discard", filter = new { ids = new[] { letter } }, dryRun = false, reason = "duplicate of a settled payment" }, "frank@local");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Discarded", Assert.Single(run.GetProperty("items").EnumerateArray()).GetProperty("outcome").GetString());
        Assert.Equal(LetterStatus.Discarded, (await Pipeline.Service<DeadLetterStore>().GetAsync(letter))!.Status);
        var entry = Assert.Single((await GetAsync("api/ops/console/audit?orderId=gone1")).EnumerateArray(), a => a.GetProperty("action").GetString() == "discards dead letter");
        Assert.Equal(("frank@local [unverified]", "duplicate of a settled payment", letter),
            (entry.GetProperty("operator").GetString(), entry.GetProperty("reason").GetString(), entry.GetProperty("target").GetString()));
        Assert.DoesNotContain((await GetAsync("api/ops/console/work")).GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == letter);
    }

    [Fact]
    public async Task Retrying_a_parked_refund_closes_the_item_with_who_and_why_and_the_timeline_names_its_idempotency_key()
    {
        var order = await ConsoleScenarios.LostThenRecoveredAsync(Pipeline, "refund1");
        var refund = new Payments.Contracts.RefundRequest(order.OrderId, order.Provider, order.PaymentId, order.AmountMinor, order.Currency, "late_payment", Attempt: 1);
        // Parked under the order id, as refunds were before they were keyed by their instance id: still retryable by that key.
        await Pipeline.Service<ParkedItems>().ParkAsync(new Payments.Contracts.ParkRequest(order.OrderId, Payments.Contracts.ParkedKinds.RefundFailed, "gateway_refused", "refused twice", refund));
        var item = Assert.Single((await GetAsync("api/ops/console/work")).GetProperty("items").EnumerateArray(), i => i.GetProperty("orderId").GetString() == order.OrderId);
        Assert.Equal(["retry_refund", "discard"], item.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        // The item's key is its own field; the id the console selects by stays kind/key.
        Assert.Equal((order.OrderId, $"refund_failed/{order.OrderId}"), (item.GetProperty("key").GetString(), item.GetProperty("id").GetString()));

        var (status, run) = await ActAsync(new { action = "retry_refund", filter = new { kind = "refund_failed", ids = new[] { item.GetProperty("id").GetString() } }, dryRun = false, reason = "customer confirmed" }, "gina@local");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("RefundRetryStarted", Assert.Single(run.GetProperty("items").EnumerateArray()).GetProperty("outcome").GetString());
        var parked = (await Pipeline.Service<ParkedItems>().GetAsync(Payments.Contracts.ParkedKinds.RefundFailed, order.OrderId))!;
        Assert.Equal(("gina@local [unverified]", $"refund retry started as refund-op-{order.PaymentId}-1: customer confirmed"), (parked.ResolvedBy, parked.Resolution));
        var (again, rerun) = await ActAsync(new { action = "retry_refund", filter = new { kind = "refund_failed", ids = new[] { item.GetProperty("id").GetString() } }, dryRun = false, reason = "twice" }, "gina@local");
        Assert.Equal((HttpStatusCode.OK, 0), (again, rerun.GetProperty("items").GetArrayLength())); // resolved: no longer offered
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", getInputsAndOutputs: false, cts.Token);
        }
        var timeline = await GetAsync($"api/ops/console/timeline/{order.OrderId}");
        var refundCall = Assert.Single(timeline.GetProperty("entries").EnumerateArray(),
            e => e.GetProperty("source").GetString() == "refund" && e.GetProperty("title").GetString() == $"refund-op-{order.PaymentId}-1: Refund scheduled");
        Assert.EndsWith($"; idempotency key refund1-{order.PaymentId}", refundCall.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(Titles(timeline), t => t == "Parked refund_failed resolved by gina@local [unverified]");
        Assert.Contains(Titles(timeline), t => t == $"gina@local [unverified] retries (as refund-op-{order.PaymentId}-1) the parked refund {order.OrderId}");
    }

    [Fact]
    public async Task The_work_queue_groups_waiting_items_by_kind_and_reason_with_counts_and_age()
    {
        await ConsoleScenarios.ParkedWithoutCallbackAsync(Pipeline, "group1");
        await ConsoleScenarios.ParkedWithoutCallbackAsync(Pipeline, "group2");

        var work = await GetAsync("api/ops/console/work");

        var group = Assert.Single(work.GetProperty("groups").EnumerateArray(), g => g.GetProperty("reason").GetString() == "callback_missing");
        Assert.Equal("dead_letter", group.GetProperty("kind").GetString());
        Assert.True(group.GetProperty("count").GetInt32() >= 2);
        var item = Assert.Single(work.GetProperty("items").EnumerateArray(), i => i.GetProperty("orderId").GetString() == "group1");
        Assert.Equal(["discard"], item.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task The_page_and_its_script_are_served_and_a_file_the_console_does_not_have_is_not()
    {
        using var page = await Pipeline.Http.GetAsync("api/ops/console");
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.Contains("<script src=\"console/assets/console.js\"></script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await Pipeline.Http.GetAsync("api/ops/console/assets/console.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Pipeline.Http.GetAsync("api/ops/console/assets/secrets.json")).StatusCode);
        var live = await GetAsync("api/ops/console/live");
        Assert.True(live.GetProperty("orders").GetInt32() >= 0);
    }
}
