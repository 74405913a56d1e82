using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class CaptureFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("capture");
}

/// <summary>
/// Capture and replay (<c>/api/ops/callbacks/…</c>): each provider's callback, signed by the
/// simulator and stored by intake, exports as a fixture that verifies against the current secrets
/// and replays through intake as the duplicate it is. With <c>PAYMENTS_CAPTURE_FIXTURES=1</c> the
/// exports are also written to <c>tests/Payments.Tests/Fixtures/Callbacks</c>, with the simulator's
/// verification keys beside them, for <see cref="CallbackFixtureRegressionTests"/>.
/// </summary>
public sealed class CallbackCaptureTests(CaptureFixture fixture) : IClassFixture<CaptureFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    public static readonly TheoryData<string, string> Providers = new()
    {
        { "standard", "EUR" },
        { "stripe", "EUR" },
        { "wechatpay", "CNY" },
        { "alipay", "CNY" },
        { "adyen", "EUR" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_signed_callback_exports_as_a_fixture_that_verifies_and_replays_as_a_duplicate(string provider, string currency)
    {
        var orderId = "cap-" + provider;
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-" + orderId, 1);
        var order = await Pipeline.RegisterOrderAsync(orderId, amount: 4321, sku: "sku-" + orderId, provider: provider, currency: currency);
        await Pipeline.WaitForStepAsync(orderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(orderId)).Status);

        var file = await ExportAsync($"api/ops/callbacks/export?provider={provider}&orderId={orderId}");

        var fixtureOf = Assert.Single(file.Fixtures);
        Assert.Equal((provider, orderId, CallbackCapture.StoredVerdict), (fixtureOf.Provider, fixtureOf.OrderId, fixtureOf.RecordedVerdict));
        Assert.Contains(fixtureOf.RecordedState, new[] { nameof(InboxState.Dispatched), nameof(InboxState.Raised) });
        Assert.Equal(new[] { FixtureVerdict.Valid }, await VerifyAsync(file));
        var replay = await ReplayAsync(file);
        Assert.Equal((fixtureOf.RecordedAnswer, "duplicate"), (replay.StatusCode, replay.Disposition));

        if (Environment.GetEnvironmentVariable("PAYMENTS_CAPTURE_FIXTURES") == "1")
        {
            await File.WriteAllBytesAsync(Path.Combine(CallbackFixtureRegressionTests.Folder, provider + ".json"), file.ToUtf8());
            await WriteKeysAsync();
        }
    }

    [Fact]
    public async Task A_changed_byte_makes_a_fixture_invalid_and_a_late_check_says_expired_not_invalid()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-cap-late", 1);
        var order = await Pipeline.RegisterOrderAsync("cap-late", sku: "sku-cap-late");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await Pipeline.WaitForOutcomeAsync(order.OrderId);
        var file = await ExportAsync($"api/ops/callbacks/export?orderId={order.OrderId}");
        var captured = Assert.Single(file.Fixtures);

        var tampered = file with { Fixtures = [captured with { Body = [.. captured.Body[..^1], (byte)(captured.Body[^1] ^ 1)] }] };
        var anHourLater = new CallbackCapture(
            Pipeline.Service<ProviderRegistry>(), Pipeline.Service<InboxStore>(), Pipeline.Service<CallbackIntake>(), new FakeTimeProvider(captured.ReceivedAt.AddHours(1)));

        Assert.Equal(new[] { FixtureVerdict.Invalid }, await VerifyAsync(tampered));
        Assert.Equal(FixtureVerdict.Expired, Assert.Single(anHourLater.Verify(file)).Verdict);
        Assert.Equal(FixtureVerdict.Invalid, Assert.Single(anHourLater.Verify(tampered)).Verdict);
        Assert.Equal((401, "unauthorized"), (await ReplayAsync(tampered)) is var r ? (r.StatusCode, r.Disposition) : default);
    }

    [Fact]
    public async Task A_stale_fixture_never_stored_here_is_refused_at_the_front_door_but_replays_through_intake_once()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-cap-new", 1);
        var order = await Pipeline.RegisterOrderAsync("cap-new", sku: "sku-cap-new");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        // Signed half an hour ago, as a capture from another deployment would be: past the tolerance now.
        var signedAt = DateTimeOffset.UtcNow.AddMinutes(-30);
        using var signed = TestWebhooks.Standard(Pipeline.Http.BaseAddress!, "evt-cap-stale",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor), signedAt.ToUnixTimeSeconds());
        var stale = new CallbackFixture("standard", "evt-cap-stale", null, order.OrderId, signedAt,
            signed.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.Ordinal)).ToDictionary(h => h.Key, h => h.Value.Single()),
            await signed.Content!.ReadAsByteArrayAsync(), FixtureVerdict.Valid, nameof(InboxState.Dispatched), 200);
        var file = new CallbackFixtureFile(CallbackFixtureFile.CurrentFormat, DateTimeOffset.UtcNow, [stale]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Pipeline.Http.SendAsync(signed)).StatusCode);
        Assert.Equal(new[] { FixtureVerdict.Expired }, await VerifyAsync(file));
        var replayed = await ReplayAsync(file);

        Assert.Equal((200, "applied"), (replayed.StatusCode, replayed.Disposition));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal("duplicate", (await ReplayAsync(file)).Disposition);
    }

    [Fact]
    public async Task Export_refuses_a_bad_filter_and_verify_refuses_what_is_not_a_fixture_file()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Pipeline.Http.GetAsync("api/ops/callbacks/export?state=Nope")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Pipeline.Http.PostAsync("api/ops/callbacks/verify", new StringContent("{\"format\":\"other\"}", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Pipeline.Http.GetAsync("api/ops/callbacks/standard/no-such-event/fixture")).StatusCode);
    }

    private async Task<CallbackFixtureFile> ExportAsync(string url)
    {
        using var reply = await Pipeline.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        return CallbackFixtureFile.Read(await reply.Content.ReadAsByteArrayAsync()) ?? throw new InvalidOperationException("Not a fixture file.");
    }

    private static ByteArrayContent JsonFile(CallbackFixtureFile file) =>
        new(file.ToUtf8()) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } };

    private async Task<string[]> VerifyAsync(CallbackFixtureFile file)
    {
        using var reply = await Pipeline.Http.PostAsync("api/ops/callbacks/verify", JsonFile(file));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        return [.. (await reply.Content.ReadFromJsonAsync<FixtureVerdict[]>(JsonSerializerOptions.Web))!.Select(v => v.Verdict)];
    }

    private async Task<ReplayOutcome> ReplayAsync(CallbackFixtureFile file)
    {
        using var reply = await Pipeline.Http.PostAsync("api/ops/callbacks/replay", JsonFile(file));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        return Assert.Single((await reply.Content.ReadFromJsonAsync<ReplayOutcome[]>(JsonSerializerOptions.Web))!);
    }

    /// <summary>The verification half of the simulator's keys (no private key): what a host needs to verify and read these fixtures.</summary>
    private async Task WriteKeysAsync()
    {
        var settings = Pipeline.Gateway.ConnectorSettings();
        var keys = CallbackFixtureRegressionTests.KeySettings.ToDictionary(k => k, k => settings[k]);
        await File.WriteAllTextAsync(CallbackFixtureRegressionTests.KeysFile, JsonSerializer.Serialize(keys, new JsonSerializerOptions { WriteIndented = true }));
    }
}
