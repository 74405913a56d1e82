using System.Net.Http.Json;
using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.LocalHost;
using Payments.Saga;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// The whole pipeline for one test class: the local host (real function methods, real Durable
/// engine on the Azure Storage provider) on the shared Azurite, with its own task hub and tables,
/// talking to its own gateway simulator.
/// </summary>
public sealed class PipelineHost : IAsyncDisposable
{
    private PipelineHost(LocalFunctionsHost host, SimulatorServer gateway, string prefix)
    {
        Host = host;
        Gateway = gateway;
        Prefix = prefix;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        GatewayHttp = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public LocalFunctionsHost Host { get; }
    public SimulatorServer Gateway { get; }
    public string Prefix { get; }
    public HttpClient Http { get; }
    public HttpClient GatewayHttp { get; }
    public DurableTaskClient Durable => Host.Durable;

    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    /// <summary>A function class as the worker creates it per invocation, to call its (timer) methods directly.</summary>
    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(Host.Services);

    /// <summary>
    /// Settings of the local host for a test, starting from the committed local.settings.json; with a
    /// <paramref name="gateway"/>, every connector it speaks for points at it.
    /// </summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(string prefix, int port, SimulatorServer? gateway = null)
    {
        var azurite = await Azurite.SharedAsync();
        var settings = new Dictionary<string, string?>(TestWebhooks.Settings())
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["PaymentsStorage:ConnectionString"] = azurite.ConnectionString,
            ["PaymentsStorage:NamePrefix"] = prefix,
            ["DurableTaskHubName"] = prefix + "hub",
            ["LocalHost:Port"] = port.ToString(),
            ["LocalHost:RunTimers"] = "false",
            ["LocalHost:MaxQueuePollingMs"] = "250",
            ["Saga:PaymentWindowSeconds"] = "120",
            ["Saga:ActivityBackoffSeconds"] = "1",
            ["Saga:PointsBackoffSeconds"] = "1",
            ["Saga:PointsMaxAttempts"] = "3",
            ["Lane:BackoffSeconds"] = "1",
            ["Lane:MaxBackoffSeconds"] = "2",
            ["Reconciler:ActiveQueryAfterSeconds"] = "3600",
            // The tests decide a crashed saga as soon as it is found; the grace an activity gets is tested on its own.
            ["Reconciler:CrashedSagaGraceSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in gateway?.ConnectorSettings() ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return settings;
    }

    public static async Task<PipelineHost> StartAsync(
        string name,
        Action<Dictionary<string, string?>>? configure = null,
        Func<SimulatorOptions, SimulatorOptions>? gateway = null,
        Action<IServiceCollection>? services = null)
    {
        var prefix = "t" + name.ToLowerInvariant() + Guid.NewGuid().ToString("N")[..6];
        var port = FreePort.Next();
        var simulator = await SimulatorServer.StartAsync((gateway ?? (o => o))(new SimulatorOptions
        {
            CallbackBaseUrl = $"http://127.0.0.1:{port}",
            StandardSecret = TestWebhooks.StandardSecret(TestWebhooks.StandardKey),
            StripeSecret = TestWebhooks.StripeSecret,
            RetrySchedule = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)],
        }));
        var settings = await SettingsAsync(prefix, port, simulator);
        configure?.Invoke(settings);
        var host = await LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings), services);
        return new PipelineHost(host, simulator, prefix);
    }

    /// <summary>Creates the payment at the gateway and registers the order, as the order service would.</summary>
    public async Task<OrderRequest> RegisterOrderAsync(string orderId, long amount = 2500, string sku = "sku-a", int quantity = 1, string provider = "standard", string currency = "EUR")
    {
        var order = OrderFor(orderId, amount, sku, quantity, provider, currency);
        await CreatePaymentAsync(order);
        await RegisterOnlyAsync(order);
        return order;
    }

    /// <summary>
    /// Registers an order whose payment the gateway does not know yet, so the saga's close finds
    /// nothing to close: the one way a capture can still land after a cancel (the test creates and
    /// pays the payment afterwards), as when a gateway's close fails or races a capture.
    /// </summary>
    public async Task<OrderRequest> RegisterOrderWithoutPaymentAsync(string orderId, long amount = 2500, string sku = "sku-a", string provider = "standard", string currency = "EUR")
    {
        var order = OrderFor(orderId, amount, sku, 1, provider, currency);
        await RegisterOnlyAsync(order);
        return order;
    }

    public async Task CreatePaymentAsync(OrderRequest order, string? paymentId = null)
    {
        using var created = await GatewayHttp.PostAsJsonAsync("v1/payments", new
        {
            paymentId = paymentId ?? order.PaymentId, orderId = order.OrderId, amountMinor = order.AmountMinor, currency = order.Currency, provider = order.Provider,
        });
        created.EnsureSuccessStatusCode();
    }

    private static OrderRequest OrderFor(string orderId, long amount, string sku, int quantity, string provider, string currency) =>
        new(orderId, "cust-" + orderId, [new OrderLine(sku, quantity)], amount, currency, provider, "pay-" + orderId);

    private async Task RegisterOnlyAsync(OrderRequest order)
    {
        using var registered = await Http.PostAsJsonAsync("api/orders", order);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, registered.StatusCode);
    }

    /// <summary>Waits (generously; never a timing assertion) for the order's saga to finish.</summary>
    public async Task<SagaOutcome> WaitForOutcomeAsync(string orderId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        var instance = await Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        return instance.ReadOutputAs<SagaOutcome>()!;
    }

    /// <summary>Waits until the saga reaches the given custom-status step.</summary>
    public async Task WaitForStepAsync(string orderId, string step, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var instance = await Durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true);
            if (instance?.SerializedCustomStatus is { } status && status.Contains(step, StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Order {orderId} never reached step {step}.");
    }

    /// <summary>
    /// Runs the day's statement reconciliation as an operator does: <c>POST /api/ops/reconciliation/{date}</c>
    /// (202), wait for the <c>statement-{date}</c> orchestration, then read the stored report.
    /// </summary>
    /// <summary>A signed standard-gateway callback handed to intake directly, with <paramref name="durable"/> as its Durable client (one that fails or drops, for a test).</summary>
    public async Task<Intake.IntakeResult> AcceptStandardAsync(string webhookId, string body, DurableTaskClient durable)
    {
        using var request = TestWebhooks.Standard(Host.BaseAddress, webhookId, body);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var bytes = await request.Content!.ReadAsByteArrayAsync();
        return await Service<Intake.CallbackIntake>().AcceptAsync(new Intake.IncomingCallback("standard", headers, new MemoryStream(bytes), bytes.Length), durable, CancellationToken.None);
    }

    public async Task<StatementReport> ReconcileStatementAsync(DateOnly? date = null)
    {
        var day = date ?? DateOnly.FromDateTime(DateTime.UtcNow);
        using (var started = await Http.PostAsync($"api/ops/reconciliation/{day:yyyy-MM-dd}", null))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
            Assert.Equal($"/api/ops/reconciliation/{day:yyyy-MM-dd}", started.Headers.Location?.OriginalString);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var run = await Durable.WaitForInstanceCompletionAsync(Payments.Recovery.StatementRun.InstanceId(day), getInputsAndOutputs: false, cts.Token);
        Assert.True(run.RuntimeStatus == OrchestrationRuntimeStatus.Completed, run.FailureDetails?.ToString());
        var report = await Http.GetFromJsonAsync<StatementReport>($"api/ops/reconciliation/{day:yyyy-MM-dd}", System.Text.Json.JsonSerializerOptions.Web);
        Assert.True(report!.Finished);
        return report;
    }

    public async Task<string> StatementAsync()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        return await GatewayHttp.GetStringAsync($"v1/statements/{today}");
    }

    /// <summary>Refunds paid out for a payment, whichever dialect asked for them (the simulator's own CSV statement lists only its own payments).</summary>
    public Task<int> RefundCountAsync(string paymentId) => Task.FromResult(Gateway.RefundsOf(paymentId).Count);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        GatewayHttp.Dispose();
        await Host.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}
