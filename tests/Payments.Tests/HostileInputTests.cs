using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Secrets;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// No 500 for anyone (issue 25): bytes that are not UTF-8, times past year 9999, ids no Table key can
/// hold, fixture files with clashing or empty headers, filters that overflow, a stock body without
/// its field, bodies larger than a route takes: each a clear 4xx saying what is wrong, nothing stored.
/// </summary>
public sealed class HostileInputTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p)];

    private static readonly byte[] NotUtf8 = [0xFF];

    private static async Task AssertProblemAsync(HttpResponseMessage reply, HttpStatusCode status, string? errorStartingWith = null)
    {
        Assert.Equal(status, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        if (errorStartingWith is not null)
        {
            using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
            Assert.Contains(problem.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith(errorStartingWith, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unsigned_adyen_batch_with_an_invalid_utf8_byte_is_400_problem_json_with_one_warning_and_nothing_stored()
    {
        fixture.Log.Collector.Clear();
        var body = Bytes("""{"live":"false","notificationItems":[{"NotificationRequestItem":{"pspReference":"ADYUTF8""", NotUtf8,
            "\",\"eventCode\":\"AUTHORISATION\",\"merchantAccountCode\":\"HostileTestMerchant\",\"success\":\"true\"}}]}");

        using var reply = await Pipeline.Http.SendAsync(fixture.Post("adyen", body));

        await AssertProblemAsync(reply, HttpStatusCode.BadRequest, "body:");
        Assert.Empty(await fixture.InboxRowsAsync(e => e.EventId.StartsWith("ADYUTF8", StringComparison.Ordinal)));
        var logged = fixture.Log.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).ToList();
        Assert.DoesNotContain(logged, r => r.Level >= LogLevel.Error || r.Exception is not null);
        Assert.Single(logged, r => r.Category == typeof(CallbackIntake).FullName && r.Level == LogLevel.Warning);
    }

    public static TheoryData<string> SignedBodiesThatAreNotUtf8 => new() { "standard", "stripe", "wechatpay-resource" };

    [Theory]
    [MemberData(nameof(SignedBodiesThatAreNotUtf8))]
    public async Task A_signed_body_with_invalid_utf8_is_400_and_nothing_is_stored(string kind)
    {
        var tag = "utf8" + kind.Length;
        using var request = kind switch
        {
            "standard" => fixture.Standard("msg_" + tag, Bytes($$"""{"type":"payment.succeeded","timestamp":"{{DateTimeOffset.UtcNow:O}}","data":{"payment_id":"pay-""", NotUtf8,
                "\",\"order_id\":\"o-utf8\",\"amount\":100,\"currency\":\"EUR\"}}")),
            "stripe" => fixture.Stripe(Bytes($$"""{"id":"evt_{{tag}}","object":"event","api_version":"2026-10-28.endive","created":{{TestWebhooks.Now}},"type":"payment_intent.succeeded","data":{"object":{"id":"pi_utf8","amount_received":100,"currency":"eur","metadata":{"order_id":"o-""", NotUtf8, "\"}}}}")),
            _ => fixture.WeChatPay.Post(Pipeline.Host.BaseAddress, fixture.WeChatPay.Notification("wx-" + tag, "TRANSACTION.SUCCESS",
                Bytes("""{"out_trade_no":"pay-""", NotUtf8, "\",\"transaction_id\":\"42\",\"trade_state\":\"SUCCESS\",\"amount\":{\"total\":1,\"currency\":\"CNY\"}}"))),
        };

        using var reply = await Pipeline.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Empty(await fixture.InboxRowsAsync(e => e.EventId.EndsWith(tag, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_stripe_created_time_past_year_9999_is_400_naming_it_and_nothing_is_stored()
    {
        var body = TestWebhooks.StripePaymentIntent("evt_y10k", "payment_intent.succeeded", "pi_y10k", "o-y10k", 100)
            .Replace($"\"created\":{TestWebhooks.Now}", "\"created\":253402300800", StringComparison.Ordinal);
        Assert.Contains("253402300800", body, StringComparison.Ordinal);

        using var reply = await Pipeline.Http.SendAsync(fixture.Stripe(Encoding.UTF8.GetBytes(body)));

        await AssertProblemAsync(reply, HttpStatusCode.BadRequest, "created:");
        Assert.Empty(await fixture.InboxRowsAsync(e => e.EventId == "evt_y10k"));
    }

    private static readonly string[] BadOrderIds = ["o/1", "o#1", "o?1", "o\\1", "o\u00011", new string('o', 1100)];

    public static TheoryData<string> OrderIdsNoTableKeyHolds => new(BadOrderIds);

    private static string FailedStripeRefund(string eventId, string orderId) => JsonSerializer.Serialize(new
    {
        id = eventId,
        @object = "event",
        api_version = "2026-10-28.endive",
        created = TestWebhooks.Now,
        type = "charge.refund.updated",
        data = new { @object = new { id = "re_1", @object = "refund", amount = 100, currency = "eur", payment_intent = "pi_bad_order", status = "failed", metadata = new { order_id = orderId } } },
    });

    [Theory]
    [MemberData(nameof(OrderIdsNoTableKeyHolds))]
    public async Task A_failed_stripe_refund_naming_an_order_id_no_table_key_holds_is_400_and_nothing_is_stored_or_parked(string orderId)
    {
        var eventId = "evt_badorder" + orderId.Length + (int)orderId[1];

        using var reply = await Pipeline.Http.SendAsync(fixture.Stripe(Encoding.UTF8.GetBytes(FailedStripeRefund(eventId, orderId))));

        await AssertProblemAsync(reply, HttpStatusCode.BadRequest, "data.object.metadata.order_id:");
        Assert.Empty(await fixture.InboxRowsAsync(e => e.EventId == eventId));
        Assert.Null(await Pipeline.Service<DeadLetterStore>().GetAsync($"intake-stripe-{eventId}"));
    }

    [Fact]
    public async Task Dead_letters_parked_before_ids_were_checked_still_list_as_letters_of_no_known_order()
    {
        foreach (var (orderId, i) in BadOrderIds.Select((id, i) => (id, i)))
        {
            await Pipeline.Service<DeadLetterStore>().ParkAsync(new ParkedLetter(
                $"intake-stripe-evt_legacy{i}", "stripe", $"evt_legacy{i}", orderId, CallbackIntake.ParkedReason, "charge.refund.updated: refund failed", 0,
                LetterStatus.Parked, DateTimeOffset.UtcNow, null, null, null));
            Assert.Null(await Pipeline.Service<OrderBook>().GetAsync(orderId));
        }

        using var reply = await Pipeline.Http.GetAsync("api/ops/dead-letters");

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        using var list = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        var legacy = list.RootElement.EnumerateArray().Where(l => l.GetProperty("letter").GetProperty("id").GetString()!.StartsWith("intake-stripe-evt_legacy", StringComparison.Ordinal)).ToList();
        Assert.Equal(BadOrderIds.Length, legacy.Count);
        Assert.All(legacy, l => Assert.Equal(JsonValueKind.Null, l.GetProperty("orderStatus").ValueKind));
    }

    [Theory]
    [InlineData("zq/1", "o-1", "payment id")]
    [InlineData("pay-1", "o#1", "order id")]
    [InlineData("zq\n", "o-1", "payment id")]
    public async Task A_statement_line_with_an_id_no_table_key_holds_is_a_malformed_line(string paymentId, string orderId, string problem)
    {
        var line = new StatementLine(paymentId, orderId, "capture", 100, "EUR", DateTimeOffset.UtcNow);
        var good = new StatementLine("pay-2", "", "capture", 100, "EUR", DateTimeOffset.UtcNow);
        var connectors = new GatewayConnectors([new OneStatementConnector([StatementEntry.Parsed(2, line), StatementEntry.Parsed(3, good)])]);

        var entries = await Collect.AllAsync(connectors.GetStatementAsync(DateOnly.FromDateTime(DateTime.UtcNow)));

        Assert.Equal(2, entries.Count);
        Assert.Null(entries[0].Line);
        Assert.Contains(problem, entries[0].Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(paymentId.TrimEnd('\n'), entries[0].Problem!, StringComparison.Ordinal);
        Assert.Equal(good with { Provider = "standard" }, entries[1].Line); // stamped with the gateway it came from
    }

    /// <summary>A fixture file of one Stripe callback, its headers and fields as given.</summary>
    private static string FixtureFile(string headers, string provider = "stripe", string eventId = "evt_fixture", string? orderId = null, byte[]? body = null) =>
        $$"""
        {"format":"payments-callback-fixtures/1","exportedAt":"2026-11-25T10:00:00Z","fixtures":[{"provider":"{{provider}}","eventId":"{{eventId}}",{{(orderId is null ? "" : $"\"orderId\":{JsonSerializer.Serialize(orderId)},")}}
        "receivedAt":"2026-11-25T10:00:00Z","headers":{{headers}},"bodyBase64":"{{Convert.ToBase64String(body ?? "{}"u8.ToArray())}}","recordedVerdict":"valid","recordedState":"Received","recordedAnswer":200}]}
        """;

    public static TheoryData<string, string> FixtureFilesIntakeCannotTake => new()
    {
        { FixtureFile("""{"Stripe-Signature":"t=1,v1=00","stripe-signature":"t=2,v1=00"}"""), "fixtures[0].headers:" },
        { FixtureFile("""{"Stripe-Signature":null}"""), "fixtures[0].headers.Stripe-Signature:" },
        { FixtureFile("{}", provider: "adyen", eventId: "ADYPSP1:AUTHORISATION:true",
            body: Bytes("""{"live":"false","notificationItems":[{"NotificationRequestItem":{"pspReference":"ADY""", NotUtf8, "\"}}]}")), "fixtures[0].bodyBase64:" },
        { FixtureFile("{}", orderId: "o/1"), "fixtures[0].orderId:" },
        { FixtureFile("{}", eventId: "evt#1"), "fixtures[0].eventId:" },
    };

    [Theory]
    [MemberData(nameof(FixtureFilesIntakeCannotTake))]
    public async Task Verify_and_replay_of_a_fixture_intake_cannot_take_are_400_naming_what_is_wrong(string file, string error)
    {
        using var verify = await Pipeline.Http.PostAsync("api/ops/callbacks/verify", new StringContent(file, Encoding.UTF8, "application/json"));
        using var replay = await Pipeline.Http.PostAsync("api/ops/callbacks/replay", new StringContent(file, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(verify, HttpStatusCode.BadRequest, error);
        await AssertProblemAsync(replay, HttpStatusCode.BadRequest, error);
    }

    [Theory]
    [InlineData(1e300)]
    [InlineData(-1e300)]
    [InlineData(-1)]
    public async Task A_bulk_action_whose_age_filter_overflows_is_400_naming_it(double minutes)
    {
        using var reply = await Pipeline.Http.PostAsJsonAsync("api/ops/console/actions", new { action = "redrive", filter = new { olderThanMinutes = minutes }, dryRun = true });

        await AssertProblemAsync(reply, HttpStatusCode.BadRequest, "filter.olderThanMinutes:");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"availble":5}""")]
    [InlineData("""{"available":5,"reserved":1}""")]
    [InlineData("""{"available":null}""")]
    public async Task Setting_stock_without_its_available_field_or_with_an_unknown_one_is_400_and_the_level_stands(string body)
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-strict", 7);

        using var reply = await Pipeline.Http.PutAsync("api/ops/stock/sku-strict", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(reply, HttpStatusCode.BadRequest, "available:");
        Assert.Equal(7, (await Pipeline.Service<StockLedger>().GetLevelAsync("sku-strict"))!.Available);
        using var valid = await Pipeline.Http.PutAsync("api/ops/stock/sku-strict", new StringContent("""{"available":6}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task A_chunked_order_over_the_limit_is_413_and_not_registered()
    {
        var order = JsonSerializer.Serialize(new OrderRequest("big-chunked", "cust-big", [new OrderLine("sku-big", 1)], 100, "EUR", "standard", "pay-big-chunked"), JsonSerializerOptions.Web);
        var padded = order[..^1] + new string(' ', 2 * 1024 * 1024) + "}";

        using var reply = await Pipeline.Http.PostAsync("api/orders", new UnsizedContent(padded));

        await AssertProblemAsync(reply, HttpStatusCode.RequestEntityTooLarge);
        using var read = await Pipeline.Http.GetAsync("api/orders/big-chunked");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task A_chunked_operator_body_over_the_limit_is_413_on_every_route_that_takes_one()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-chunked", 4);
        var padding = new string(' ', 2 * 1024 * 1024);
        var replies = new Dictionary<string, HttpResponseMessage>
        {
            ["stock"] = await Pipeline.Http.PutAsync("api/ops/stock/sku-chunked", new UnsizedContent("""{"available":9""" + padding + "}")),
            ["discard"] = await Pipeline.Http.PostAsync("api/ops/dead-letters/none/discard", new UnsizedContent("""{"reason":"x""" + padding + "\"}")),
            ["refund"] = await Pipeline.Http.PostAsync("api/ops/refunds/none/retry", new UnsizedContent("""{"reason":"x""" + padding + "\"}")),
            ["console"] = await Pipeline.Http.PostAsync("api/ops/console/actions", new UnsizedContent("""{"action":"redrive","filter":{},"dryRun":true""" + padding + "}")),
        };

        Assert.All(replies, r => Assert.Equal((r.Key, HttpStatusCode.RequestEntityTooLarge), (r.Key, r.Value.StatusCode)));
        Assert.Equal(4, (await Pipeline.Service<StockLedger>().GetLevelAsync("sku-chunked"))!.Available);
        foreach (var reply in replies.Values)
        {
            reply.Dispose();
        }
    }

    /// <summary>A connector whose statement is the given entries and which does nothing else.</summary>
    private sealed class OneStatementConnector(IReadOnlyList<StatementEntry> entries) : IGatewayConnector, IPaymentGateway
    {
        public string Name => "standard";
        public SecretSetting ConfiguredBy => new("Test:OneStatement", "configured");
        public SecretSetting WebhookSecrets => throw new NotSupportedException();
        public TimeSpan RetryHorizon => TimeSpan.FromDays(1);
        public IWebhookProvider CreateWebhookProvider(TimeSpan tolerance) => throw new NotSupportedException();
        public IPaymentGateway Outbound => this;
        public SecretSetting? UnusableCredential => null;
        public Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default) => throw new NotSupportedException();

        public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            foreach (var entry in entries)
            {
                await Task.Yield();
                yield return entry;
            }
        }
    }
}
