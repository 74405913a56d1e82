using GatewaySimulator;
using Payments.Contracts;
using Payments.Gateway;

namespace Payments.Tests;

/// <summary>
/// WeChat Pay's platform certificate → public key switch. Both official SDKs (wechatpay-go, wechatpay-java)
/// send <c>Wechatpay-Serial</c> on every request, naming the platform key the client verifies answers
/// with, and WeChat Pay signs the answer with that key; without it, with the platform certificate. The
/// simulator in migration mode does the same, so every stage of the switch is checked against it.
/// </summary>
public sealed class WeChatPayKeyMigrationTests : IAsyncLifetime
{
    private readonly WeChatPaySimulatorFixture fixture = new();
    private SimulatorServer migrating = null!;

    public async Task InitializeAsync()
    {
        await fixture.InitializeAsync();
        migrating = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = "http://127.0.0.1:9", LossRate = 1.0, WeChatPayKeyMigration = true });
    }

    public static TheoryData<string> Stages => new()
    {
        // Mid-migration: both keys configured; the public key is asked for.
        "both",
        // Before the switch: only the platform certificate.
        "certificate",
        // After the switch: the certificate dropped. Without Wechatpay-Serial the answer came signed with it.
        "public_key",
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task An_answer_signed_with_the_key_the_request_names_verifies_at_every_stage_of_the_key_switch(string stage)
    {
        var connector = fixture.Connector(settings =>
        {
            var entries = settings["Connectors:WeChatPay:PlatformPublicKeys"]!.Split(' ');
            Assert.Equal(2, entries.Length);
            var publicKey = Assert.Single(entries, e => e.StartsWith("PUB_KEY_ID_", StringComparison.Ordinal));
            var certificate = Assert.Single(entries, e => !e.StartsWith("PUB_KEY_ID_", StringComparison.Ordinal));
            settings["Connectors:WeChatPay:PlatformPublicKeys"] = stage switch
            {
                "both" => $"{certificate} {publicKey}",
                "certificate" => certificate,
                _ => publicKey,
            };
        }, migrating);
        using var http = new HttpClient { BaseAddress = migrating.BaseAddress };
        var payment = await fixture.CreateAsync("wk-" + stage.Replace('_', '-'), amount: 1200, http: http);
        await migrating.PayAsync(payment.PaymentId);

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 1200, "CNY"), await connector.Outbound.QueryPaymentAsync(payment));
    }

    public async Task DisposeAsync()
    {
        await migrating.DisposeAsync();
        await fixture.DisposeAsync();
    }
}
