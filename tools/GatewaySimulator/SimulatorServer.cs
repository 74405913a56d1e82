using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using GatewaySimulator.Alipay;
using Microsoft.AspNetCore.Http.Features;
using GatewaySimulator.WeChatPay;

namespace GatewaySimulator;

/// <summary>A real Kestrel-hosted fake payment gateway, started in-process by tests and demos or by Program for manual runs.</summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly PaymentStore store;
    private readonly StatsCounters stats;
    private readonly WebhookDispatcher dispatcher;
    private readonly HttpClient webhookClient;
    private readonly WeChatPayDialect weChatPay;
    private readonly AlipayDialect alipay;
    private readonly byte[] adyenKey;
    private int disposed;

    private SimulatorServer(WebApplication app, PaymentStore store, StatsCounters stats, WebhookDispatcher dispatcher, HttpClient webhookClient, SimulatorOptions options, Uri baseAddress, WeChatPayDialect weChatPay, AlipayDialect alipay, byte[] adyenKey)
    {
        this.weChatPay = weChatPay;
        this.alipay = alipay;
        this.adyenKey = adyenKey;
        this.app = app;
        this.store = store;
        this.stats = stats;
        this.dispatcher = dispatcher;
        this.webhookClient = webhookClient;
        Options = options;
        BaseAddress = baseAddress;
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:41873/</c> when Port was 0.</summary>
    public Uri BaseAddress { get; }

    public SimulatorOptions Options { get; }

    /// <summary>
    /// The pipeline settings that point every connector whose dialect this simulator speaks at it:
    /// the simulator's own API (provider <c>standard</c>), Stripe's, WeChat Pay's and Alipay's — with the
    /// keys this run generated (WeChat Pay's merchant key, APIv3 key and platform public key; Alipay's app
    /// private key and platform public key) — and Adyen's webhook key and merchant account. One place, so
    /// a host under test never reaches a connector's default address by accident.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ConnectorSettings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:BaseUrl"] = BaseAddress.ToString(),
            ["Connectors:Stripe:ApiBase"] = BaseAddress.ToString(),
            ["Connectors:WeChatPay:ApiBase"] = BaseAddress.ToString(),
            ["Connectors:Alipay:GatewayUrl"] = new Uri(BaseAddress, AlipayDialect.GatewayPath.TrimStart('/')).ToString(),
            ["Connectors:Alipay:AppId"] = alipay.AppId,
            ["Connectors:Alipay:SellerId"] = alipay.SellerId,
            ["Connectors:Alipay:AppPrivateKey"] = alipay.AppPrivateKey,
            ["Connectors:Alipay:AlipayPublicKeys"] = alipay.PlatformPublicKey,
            ["Connectors:Adyen:HmacKeys"] = Convert.ToHexString(adyenKey),
            ["Connectors:Adyen:MerchantAccounts"] = Adyen.AdyenNotifications.MerchantAccount,
        };
        foreach (var (name, value) in weChatPay.ConnectorSettings())
        {
            settings["Connectors:WeChatPay:" + name] = value;
        }
        return settings;
    }

    /// <summary>The Alipay dialect's keys and ids, for tests that sign as Alipay or as the app themselves.</summary>
    public AlipayDialect Alipay => alipay;

    public SimulatorStats Stats => stats.Snapshot(dispatcher.Pending);

    public IReadOnlyList<PaymentSnapshot> Payments => store.List();

    /// <summary>Every refund of every payment, with its status.</summary>
    public IReadOnlyList<RefundSnapshot> Refunds => [.. store.List().SelectMany(p => store.RefundsOf(p.PaymentId))];

    public static async Task<SimulatorServer> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SimulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();

        var clock = TimeProvider.System;
        var random = new SeededRandom(options.Seed);
        var stats = new StatsCounters();
        var webhookClient = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            // Each attempt carries its own DeliveryTimeout token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GatewaySimulator.Webhooks");
        // Keys generated per run: nothing committed signs anything, and nothing signed by one simulator
        // verifies against another's keys.
        var weChatPay = new WeChatPayDialect(options.WeChatPayKeyMigration);
        var alipay = new AlipayDialect(options.AlipayAppId, options.AlipaySellerId);
        var adyenKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var dispatcher = new WebhookDispatcher(options, random, stats, webhookClient, clock, logger, weChatPay, alipay, adyenKey);
        var store = new PaymentStore(random, clock, dispatcher.Submit);
        var guard = new GatewayApiGuard(options, random, stats, clock);

        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1"), v1 => v1.Use(guard.InvokeAsync));
        app.MapGatewayApi(store, options.MalformedStatementLines);
        var stripeReplies = new StripeIdempotency();
        app.MapStripeApi(store, stripeReplies, new StripeSettlement(options.StripeSettlementCurrency));
        var weChatPayGuard = new WeChatPayGuard(weChatPay, options, random, stats, clock);
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v3"), v3 => v3.Use(weChatPayGuard.InvokeAsync));
        app.MapWeChatPayApi(store);
        app.MapAlipayApi(store, alipay);
        app.MapControlApi(store, stripeReplies, () => stats.Snapshot(dispatcher.Pending));

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            webhookClient.Dispose();
            weChatPay.Dispose();
            alipay.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        dispatcher.Start();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SimulatorServer(app, store, stats, dispatcher, webhookClient, options, new Uri(address.TrimEnd('/') + "/"), weChatPay, alipay, adyenKey);
    }

    /// <summary>Same as <c>POST /sim/payments/{id}/pay</c>; a refusal faults the task with an <see cref="HttpRequestException"/> carrying the status (404, 409, 400).</summary>
    public Task PayAsync(string paymentId, long? amountMinor = null, string? currency = null)
    {
        ArgumentNullException.ThrowIfNull(paymentId);
        var result = ControlApi.Pay(store, paymentId, amountMinor, currency);
        return ApiResults.IsSuccess(result.Outcome) ? Task.CompletedTask : Task.FromException(ApiResults.ToException(result, $"pay {paymentId}"));
    }

    /// <summary>Same as <c>POST /sim/payments/{id}/dashboard-refund</c>: a refund made in the gateway's dashboard; its id.</summary>
    public string DashboardRefund(string paymentId, long amountMinor)
    {
        var result = ControlApi.RefundInDashboard(store, paymentId, amountMinor);
        return ApiResults.IsSuccess(result.Outcome) ? result.Value!.RefundId : throw ApiResults.ToException(result, $"dashboard refund of {paymentId}");
    }

    /// <summary>Same as <c>POST /sim/payments/{id}/dispute</c>: the customer disputes a paid payment; the dispute as the gateway keeps it.</summary>
    public DisputeSnapshot Dispute(string paymentId, string outcome, long? amountMinor = null)
    {
        var result = store.Dispute(paymentId, outcome, amountMinor);
        return ApiResults.IsSuccess(result.Outcome) ? result.Value! : throw ApiResults.ToException(result, $"dispute of {paymentId}");
    }

    /// <summary>Every dispute of every payment, with its status.</summary>
    public IReadOnlyList<DisputeSnapshot> Disputes => store.Disputes();

    /// <summary>Same as <c>POST /sim/payments/{id}/fail</c>; a refusal faults the task like <see cref="PayAsync"/>.</summary>
    public Task FailAsync(string paymentId)
    {
        ArgumentNullException.ThrowIfNull(paymentId);
        var result = store.Fail(paymentId);
        return ApiResults.IsSuccess(result.Outcome) ? Task.CompletedTask : Task.FromException(ApiResults.ToException(result, $"fail {paymentId}"));
    }

    /// <summary>The refunds of one payment, for tests that count payouts (one per distinct Idempotency-Key).</summary>
    public IReadOnlyList<RefundSnapshot> RefundsOf(string paymentId) => store.RefundsOf(paymentId);

    /// <summary>Completes once no delivery is scheduled, held back or in flight; throws <see cref="TimeoutException"/> otherwise.</summary>
    public Task WaitForDeliveriesAsync(TimeSpan timeout) => dispatcher.WaitIdleAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await dispatcher.DisposeAsync().ConfigureAwait(false);
            webhookClient.Dispose();
            weChatPay.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            alipay.Dispose();
        }
    }
}
