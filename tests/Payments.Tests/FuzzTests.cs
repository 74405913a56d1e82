using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A bounded, seeded fuzz of every provider's intake and of the order and operator routes (issue 25):
/// valid requests, signed or not, broken one way each — garbage, truncation, bit flips, deep nesting,
/// invalid UTF-8, duplicate keys, overflowing numbers, confusable characters, huge headers, many
/// signatures. Whatever arrives: never a 5xx but 503, nothing stored for a refusal, and the log holds
/// neither a payload nor a secret. The seed is fixed, so a failure replays exactly.
/// </summary>
public sealed partial class FuzzTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private const int Seed = 25;
    private const int CasesPerTarget = 80;

    /// <summary>In every payload, in a field no log line has reason to name.</summary>
    private const string Marker = "fzpayloadmarker";

    private PipelineHost Pipeline => fixture.Pipeline;

    private sealed record FuzzCase(string Target, string Tag, string Mutation, HttpMethod Method, string Path, byte[] Body, string ContentType, List<KeyValuePair<string, string>> Headers);

    private sealed record Answer(FuzzCase Case, HttpStatusCode Status);

    [Theory]
    [InlineData("standard")]
    [InlineData("stripe")]
    [InlineData("wechatpay")]
    [InlineData("alipay")]
    [InlineData("adyen")]
    public async Task Fuzzed_callbacks_never_get_a_5xx_store_nothing_when_refused_and_log_no_payload_or_secret(string provider)
    {
        var random = new Random(Seed + provider.Length * 31 + provider[0]);
        var cases = new List<FuzzCase>();
        for (var i = 0; i < CasesPerTarget; i++)
        {
            cases.Add(await CallbackCaseAsync(provider, $"fz{provider[..2]}{i:D3}z", random));
        }
        var before = await fixture.InboxRowsAsync(e => e.Provider == provider);

        var answers = await SendAllAsync(cases);

        AssertNoServerError(answers);
        var added = (await fixture.InboxRowsAsync(e => e.Provider == provider)).Where(e => !before.Any(b => b.EventId == e.EventId)).ToList();
        Assert.True(added.Count <= answers.Count(a => (int)a.Status < 300), $"{added.Count} rows stored for {answers.Count(a => (int)a.Status < 300)} accepted callbacks");
        foreach (var refused in answers.Where(a => (int)a.Status >= 400))
        {
            Assert.DoesNotContain(added, e => e.EventId.Contains(refused.Case.Tag, StringComparison.Ordinal) || Encoding.Latin1.GetString(e.Body).Contains(refused.Case.Tag, StringComparison.Ordinal));
        }
        AssertLogClean();
    }

    [Fact]
    public async Task Fuzzed_order_and_operator_requests_never_get_a_5xx_and_log_no_payload_or_secret()
    {
        var random = new Random(Seed);
        // Of a provider no deployment has, so no mutation registers an order whose saga outlives the test.
        var order = $$$"""{"orderId":"fzorder","customerId":"cust-fz","lines":[{"sku":"sku-fz","quantity":1}],"amountMinor":100,"currency":"EUR","provider":"fuzz","paymentId":"pay-fzorder","note":"{{{Marker}}}"}""";
        var fixtureFile = $$"""{"format":"payments-callback-fixtures/1","exportedAt":"2026-11-25T10:00:00Z","fixtures":[{"provider":"stripe","eventId":"evt_fzfile","receivedAt":"2026-11-25T10:00:00Z","headers":{"Stripe-Signature":"t=1764064800,v1=00"},"bodyBase64":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"id\":\"evt_fzfile\",\"note\":\"{Marker}\"}}"))}}","recordedVerdict":"valid","recordedState":"Received","recordedAnswer":200}]}""";
        var targets = new (string Target, HttpMethod Method, string Path, string Body)[]
        {
            ("orders", HttpMethod.Post, "api/orders", order),
            ("stock", HttpMethod.Put, "api/ops/stock/sku-fz", $$"""{"available":5,"note":"{{Marker}}"}"""),
            ("discard", HttpMethod.Post, "api/ops/dead-letters/intake-standard-none/discard", $$"""{"reason":"{{Marker}}"}"""),
            ("refund", HttpMethod.Post, "api/ops/refunds/none/retry", $$"""{"reason":"{{Marker}}"}"""),
            ("console", HttpMethod.Post, "api/ops/console/actions", $$"""{"action":"discard","reason":"{{Marker}}","filter":{"kind":"none","olderThanMinutes":5,"ids":["x"]},"perSecond":5,"dryRun":true}"""),
            ("verify", HttpMethod.Post, "api/ops/callbacks/verify", fixtureFile),
            ("replay", HttpMethod.Post, "api/ops/callbacks/replay", fixtureFile),
        };
        var cases = new List<FuzzCase>();
        foreach (var (target, method, path, body) in targets)
        {
            for (var i = 0; i < CasesPerTarget / 2; i++)
            {
                var tag = $"fz{target}{i:D3}z";
                var (mutation, bytes) = MutateBody(Encoding.UTF8.GetBytes(body.Replace("fzorder", "fzorder" + i, StringComparison.Ordinal)), random);
                cases.Add(new FuzzCase(target, tag, mutation, method, path, bytes, "application/json", []));
            }
        }
        // Route values: every route that takes one, with what a Table key cannot hold or a confusable of a real id.
        foreach (var value in RouteValues(random))
        {
            var escaped = Uri.EscapeDataString(value);
            foreach (var path in new[] { $"api/orders/{escaped}", $"api/ops/stock/{escaped}", $"api/ops/console/timeline/{escaped}", $"api/ops/callbacks/standard/{escaped}/fixture", $"api/ops/console/callbacks/standard/{escaped}/body" })
            {
                cases.Add(new FuzzCase("route", "route", "route value", HttpMethod.Get, path, [], "application/json", []));
            }
            cases.Add(new FuzzCase("route", "route", "route value", HttpMethod.Post, $"api/ops/dead-letters/{escaped}/redrive", [], "application/json", []));
            cases.Add(new FuzzCase("route", "route", "route value", HttpMethod.Post, $"api/ops/refunds/{escaped}/retry", [], "application/json", []));
        }

        AssertNoServerError(await SendAllAsync(cases));
        AssertLogClean();
    }

    private async Task<FuzzCase> CallbackCaseAsync(string provider, string tag, Random random)
    {
        var (body, sign, contentType) = provider switch
        {
            "standard" => (Encoding.UTF8.GetBytes($$$"""{"type":"payment.succeeded","timestamp":"{{{DateTimeOffset.UtcNow:O}}}","note":"{{{Marker}}}","data":{"payment_id":"pay-{{{tag}}}","order_id":"o-{{{tag}}}","amount":100,"currency":"EUR"}}"""),
                (Func<byte[], HttpRequestMessage>)(b => fixture.Standard("msg_" + tag, b)), "application/json"),
            "stripe" => (Encoding.UTF8.GetBytes($$$"""{"id":"evt_{{{tag}}}","object":"event","api_version":"2026-10-28.endive","created":{{{TestWebhooks.Now}}},"type":"payment_intent.succeeded","data":{"object":{"id":"pi_{{{tag}}}","description":"{{{Marker}}}","amount":100,"amount_received":100,"currency":"eur","metadata":{"order_id":"o-{{{tag}}}"}}""" + "}}"),
                b => fixture.Stripe(b), "application/json"),
            // The mutation is of the decrypted resource; the notification around it is sealed and signed afresh.
            "wechatpay" => (Encoding.UTF8.GetBytes(fixture.WeChatPay.Transaction("pay-" + tag, "o-" + tag, 100).Replace("\"trade_type\"", $"\"note\":\"{Marker}\",\"trade_type\"", StringComparison.Ordinal)),
                b => fixture.WeChatPay.Post(Pipeline.Host.BaseAddress, fixture.WeChatPay.Notification("wx-" + tag, "TRANSACTION.SUCCESS", b)), "application/json"),
            "alipay" => (TestAlipay.Form(AlipayFields(tag)), b => fixture.Post("alipay", b, "application/x-www-form-urlencoded"), "application/x-www-form-urlencoded"),
            _ => (Encoding.UTF8.GetBytes(AdyenBatch(tag)), b => fixture.Post("adyen", b), "application/json"),
        };
        // Half the cases are mutated before signing (they get past the signature into the parser), half after.
        var signFirst = random.Next(2) == 0;
        string mutation;
        HttpRequestMessage request;
        if (provider == "alipay" && !signFirst)
        {
            (mutation, var fields) = MutateFields(AlipayFields(tag), random);
            request = sign(TestAlipay.Form(TestAlipay.Signed(fields, Pipeline.Gateway.Alipay.Sign)));
        }
        else if (signFirst && provider is not ("wechatpay" or "alipay"))
        {
            var signed = sign(body);
            (mutation, var bytes) = MutateBody(await signed.Content!.ReadAsByteArrayAsync(), random);
            request = new HttpRequestMessage(HttpMethod.Post, signed.RequestUri) { Content = new ByteArrayContent(bytes) };
            foreach (var header in signed.Headers)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
        else
        {
            (mutation, var bytes) = MutateBody(provider == "alipay" ? TestAlipay.Form(TestAlipay.Signed(AlipayFields(tag), Pipeline.Gateway.Alipay.Sign)) : body, random);
            request = sign(bytes);
        }
        var headers = request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))).ToList();
        if (random.Next(4) == 0)
        {
            mutation += " + " + MutateHeaders(provider, headers, random);
        }
        return new FuzzCase(provider, tag, mutation, HttpMethod.Post, request.RequestUri!.PathAndQuery.TrimStart('/'), await request.Content!.ReadAsByteArrayAsync(), contentType, headers);
    }

    private List<KeyValuePair<string, string>> AlipayFields(string tag) =>
        [.. TestAlipay.Notification(Pipeline.Gateway.Alipay.AppId, Pipeline.Gateway.Alipay.SellerId, "notify-" + tag, "pay-" + tag, "o-" + tag, "1.00")
            .With("subject", Marker)];

    private static string AdyenBatch(string tag)
    {
        var psp = "PSP" + tag;
        var item = new Dictionary<string, object>
        {
            ["additionalData"] = new { hmacSignature = HostileInputFixture.AdyenSignature(psp, "o-" + tag, "100", "AUTHORISATION") },
            ["amount"] = new { value = 100, currency = "EUR" },
            ["eventCode"] = "AUTHORISATION",
            ["eventDate"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"),
            ["merchantAccountCode"] = HostileInputFixture.AdyenMerchant,
            ["merchantReference"] = "o-" + tag,
            ["pspReference"] = psp,
            ["reason"] = Marker,
            ["success"] = "true",
        };
        return JsonSerializer.Serialize(new { live = "false", notificationItems = new[] { new { NotificationRequestItem = item } } });
    }

    private static readonly string[] Confusables = ["о", "а", "е", "р", "ｏ", "\u200b", "\u202e", "\u0301", "İ", "ſ"];

    private static readonly string[] HugeNumbers = ["1e400", "-1e400", "1e300", "-1e300", "99999999999999999999999999999", "-9223372036854775809", "9223372036854775808", "0.000000000000000000001", "-0", "1E+9999"];

    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]];

    /// <summary>The body broken one way, named.</summary>
    private static (string Mutation, byte[] Body) MutateBody(byte[] body, Random random)
    {
        var text = Encoding.UTF8.GetString(body);
        switch (random.Next(9))
        {
            case 0:
                return ("garbage", random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), random.Next(0, 400)));
            case 1:
                return ("truncation", body[..random.Next(body.Length)]);
            case 2:
                var flipped = body.ToArray();
                for (var n = random.Next(1, 9); n > 0; n--)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                }
                return ("bit flips", flipped);
            case 3:
                var depth = random.Next(30, 3000);
                return ("deep nesting", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? "[" : "{\"a\":", depth)) + text + new string(']', depth)));
            case 4:
                var at = random.Next(body.Length);
                return ("invalid utf-8", [.. body[..at], .. BadUtf8[random.Next(BadUtf8.Length)], .. body[at..]]);
            case 5:
                var first = text.IndexOf('{', StringComparison.Ordinal);
                var duplicate = random.GetItems(new[] { "\"id\":\"evt_dup\",", "\"type\":\"payment.failed\",", "\"amount\":1,", "\"orderId\":\"dup\",", "\"format\":\"x\",", "\"available\":-1,", "\"notificationItems\":[],", "\"fixtures\":null," }, 2);
                return ("duplicate keys", first < 0 ? body : Encoding.UTF8.GetBytes(text[..(first + 1)] + string.Concat(duplicate) + text[(first + 1)..]));
            case 6:
                return ("overflowing numbers", Encoding.UTF8.GetBytes(Number().Replace(text, m => random.Next(2) == 0 ? HugeNumbers[random.Next(HugeNumbers.Length)] : m.Value)));
            case 7:
                var chars = text.ToCharArray().Select(c => c is 'o' or 'a' or 'e' or 'p' && random.Next(3) == 0 ? Confusables[random.Next(Confusables.Length)] : c.ToString());
                return ("confusable characters", Encoding.UTF8.GetBytes(string.Concat(chars)));
            default:
                return ("unchanged", body);
        }
    }

    /// <summary>Alipay's fields broken one way before they are signed (its signature covers the decoded fields).</summary>
    private static (string Mutation, List<KeyValuePair<string, string>> Fields) MutateFields(List<KeyValuePair<string, string>> fields, Random random)
    {
        var key = fields[random.Next(fields.Count)].Key;
        var value = random.Next(5) switch
        {
            0 => HugeNumbers[random.Next(HugeNumbers.Length)],
            1 => new string('9', random.Next(100, 5000)),
            2 => string.Concat(fields.First(f => f.Key == key).Value.Select(c => random.Next(3) == 0 ? Confusables[random.Next(Confusables.Length)] : c.ToString())),
            3 => "o/1#?\u0001",
            _ => "",
        };
        return ($"field {key}", fields.With(key, value));
    }

    private static string MutateHeaders(string provider, List<KeyValuePair<string, string>> headers, Random random)
    {
        var name = provider switch
        {
            "standard" => "webhook-signature",
            "stripe" => "Stripe-Signature",
            "wechatpay" => "Wechatpay-Signature",
            _ => "X-Fuzz",
        };
        var signature = headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value ?? "";
        headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (random.Next(2) == 0)
        {
            headers.Add(new(name, signature + new string('+', random.Next(4_000, 30_000))));
            return "huge header";
        }
        var many = Enumerable.Range(0, random.Next(50, 400)).Select(i => provider == "standard" ? $"v1,{Convert.ToBase64String(random.GetItems<byte>([1, 2, 3], 32))}" : $"v1={Convert.ToHexStringLower(random.GetItems<byte>([1, 2, 3], 32))}");
        headers.Add(new(name, provider == "standard" ? string.Join(' ', many.Append(signature)) : signature + "," + string.Join(',', many)));
        return "many signatures";
    }

    private static IEnumerable<string> RouteValues(Random random) =>
    [
        "o/1", "o#1", "o?1", "o\\1", "o\u00011", "o\n", new string('x', 1100), "fzоrder", "\u202eredro", "..", "%2F",
        .. Enumerable.Range(0, 5).Select(_ => Encoding.Latin1.GetString(random.GetItems<byte>([.. Enumerable.Range(32, 96).Select(b => (byte)b)], random.Next(1, 40)))),
    ];

    private async Task<List<Answer>> SendAllAsync(List<FuzzCase> cases)
    {
        var answers = new Answer[cases.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, cases.Count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var c = cases[i];
            using var request = new HttpRequestMessage(c.Method, c.Path);
            if (c.Method != HttpMethod.Get)
            {
                request.Content = new ByteArrayContent(c.Body) { Headers = { ContentType = new MediaTypeHeaderValue(c.ContentType) } };
            }
            foreach (var (name, value) in c.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            using var reply = await Pipeline.Http.SendAsync(request, ct);
            answers[i] = new Answer(c, reply.StatusCode);
        });
        return [.. answers];
    }

    private static void AssertNoServerError(List<Answer> answers)
    {
        var failures = answers.Where(a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable)
            .Select(a => $"{a.Case.Target} {a.Case.Tag} ({a.Case.Mutation}, {a.Case.Method} {a.Case.Path[..Math.Min(a.Case.Path.Length, 60)]}): {(int)a.Status}")
            .ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private void AssertLogClean()
    {
        foreach (var record in fixture.Log.Collector.GetSnapshot())
        {
            var text = record.Message + record.Exception;
            Assert.DoesNotContain(Marker, text, StringComparison.Ordinal);
            foreach (var secret in fixture.Secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    [GeneratedRegex(@"(?<=[:\[,])-?\d+(\.\d+)?")]
    private static partial Regex Number();
}
