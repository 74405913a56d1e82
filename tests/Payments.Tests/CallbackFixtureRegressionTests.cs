using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Payments.Intake;
using Payments.Replay;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A host that verifies with the keys the committed fixtures were signed with: the test secrets of
/// standard and Stripe, and the verification half of the capturing simulator's keys (Fixtures/simulator-keys.json).
/// </summary>
public sealed class FixtureReplayFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("fixtures", settings =>
    {
        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(CallbackFixtureRegressionTests.KeysFile))!)
        {
            settings[key] = value;
        }
    });
}

/// <summary>
/// Every fixture file in <c>tests/Payments.Tests/Fixtures/Callbacks</c> is a regression test, with no
/// editing: drop an export from <c>GET /api/ops/callbacks/export</c> there (signed with keys this host
/// has) and it runs. Each fixture must verify with its recorded verdict on a clock fixed at its
/// capture time, replay through intake with its recorded answer, be stored under its event id and
/// type, and come back as a duplicate when replayed again.
/// </summary>
public sealed class CallbackFixtureRegressionTests(FixtureReplayFixture fixture) : IClassFixture<FixtureReplayFixture>
{
    public static string Folder => RepoPaths.InRoot("tests", "Payments.Tests", "Fixtures", "Callbacks");

    public static string KeysFile => RepoPaths.InRoot("tests", "Payments.Tests", "Fixtures", "simulator-keys.json");

    /// <summary>The settings of the simulator's keys a verifying host needs; never a private key.</summary>
    public static readonly string[] KeySettings =
    [
        "Connectors:WeChatPay:PlatformPublicKeys",
        "Connectors:WeChatPay:ApiV3Key",
        "Connectors:Alipay:AlipayPublicKeys",
        "Connectors:Alipay:AppId",
        "Connectors:Alipay:SellerId",
        "Connectors:Adyen:HmacKeys",
        "Connectors:Adyen:MerchantAccounts",
    ];

    public static TheoryData<string> Files => new(Directory.GetFiles(Folder, "*.json").Select(Path.GetFileName).Order()!);

    [Fact]
    public void Every_provider_has_a_committed_fixture() =>
        Assert.Equal(
            new[] { "adyen", "alipay", "standard", "stripe", "wechatpay" },
            Directory.GetFiles(Folder, "*.json").SelectMany(f => CallbackFixtureFile.Read(File.ReadAllBytes(f))!.Fixtures).Select(f => f.Provider).Distinct().Order());

    [Theory]
    [MemberData(nameof(Files))]
    public async Task A_captured_callback_replays_with_its_recorded_outcome(string name)
    {
        var file = CallbackFixtureFile.Read(await File.ReadAllBytesAsync(Path.Combine(Folder, name)));
        Assert.NotNull(file);
        var pipeline = fixture.Pipeline;
        var capture = pipeline.Service<CallbackCapture>();

        foreach (var captured in file.Fixtures)
        {
            var atCapture = new CallbackCapture(pipeline.Service<ProviderRegistry>(), pipeline.Service<InboxStore>(), pipeline.Service<CallbackIntake>(), new FakeTimeProvider(captured.ReceivedAt));
            var one = file with { Fixtures = [captured] };

            Assert.Equal(captured.RecordedVerdict, Assert.Single(atCapture.Verify(one)).Verdict);
            var first = Assert.Single(await capture.ReplayAsync(one, pipeline.Durable));
            Assert.Equal(captured.RecordedAnswer, first.StatusCode);
            var stored = await pipeline.Service<InboxStore>().GetAsync(captured.Provider, captured.EventId);
            Assert.NotNull(stored);
            Assert.Equal(captured.EventType, stored.EventType ?? stored.Event?.Kind.ToString());
            Assert.Equal(captured.OrderId, stored.Event?.OrderId);
            var again = Assert.Single(await capture.ReplayAsync(one, pipeline.Durable));
            Assert.Equal((captured.RecordedAnswer, "duplicate"), (again.StatusCode, again.Disposition));
        }
    }

    /// <summary>
    /// tools/Payments.Replay against this host: raw bytes posted as the gateway posted them pass where
    /// the scheme has no signing time (Alipay, Adyen) and are refused as stale where it has one, which
    /// the operator replay endpoint (verifying as of the capture) takes.
    /// </summary>
    [Fact]
    public async Task The_replay_tool_posts_raw_bytes_as_the_gateway_did_and_its_ops_mode_replays_stale_ones()
    {
        var pipeline = fixture.Pipeline;
        FixtureSender Sender(ReplayMode mode) => new(pipeline.Http, new ReplayOptions { Target = pipeline.Http.BaseAddress, Mode = mode });
        CallbackFixtureFile Load(string name) => Assert.Single(FixtureSender.Load(Path.Combine(Folder, name)));

        Assert.Equal(200, Assert.Single(await Sender(ReplayMode.Raw).SendAsync(Load("alipay.json"), default)).StatusCode);
        Assert.Equal(200, Assert.Single(await Sender(ReplayMode.Raw).SendAsync(Load("adyen.json"), default)).StatusCode);
        Assert.Equal(401, Assert.Single(await Sender(ReplayMode.Raw).SendAsync(Load("stripe.json"), default)).StatusCode);
        var ops = Assert.Single(await Sender(ReplayMode.Ops).SendAsync(Load("stripe.json"), default));

        Assert.Equal(200, ops.StatusCode);
        Assert.NotNull(await pipeline.Service<InboxStore>().GetAsync("stripe", Load("stripe.json").Fixtures[0].EventId));
    }
}
