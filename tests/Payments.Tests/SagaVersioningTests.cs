using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Saga;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A deploy that changes OrderSaga's steps does not break sagas in flight: a saga started on
/// version N and waiting for its payment completes on the steps of N after the host restarts on
/// N+1, whose orchestrator adds a step before that wait (unguarded, its replay would no longer match
/// the history and the saga would fail); sagas started after the restart run N+1's steps.
/// </summary>
public sealed class SagaVersioningTests
{
    [Fact]
    public async Task A_saga_started_on_version_N_completes_on_its_own_steps_after_the_host_restarts_on_version_N_plus_1()
    {
        var port = FreePort.Next();
        var prefix = "tver" + Guid.NewGuid().ToString("N")[..6];
        await using var gateway = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            CallbackBaseUrl = $"http://127.0.0.1:{port}",
            StandardSecret = TestWebhooks.StandardSecret(TestWebhooks.StandardKey),
            StripeSecret = TestWebhooks.StripeSecret,
        });
        var settings = await PipelineHost.SettingsAsync(prefix, port, gateway);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        using var gatewayHttp = new HttpClient { BaseAddress = gateway.BaseAddress };
        var old = Order("ver-old");
        var fresh = Order("ver-new");

        settings["Saga:Version"] = SagaVersions.First;
        await using (var first = await StartHostAsync(settings))
        {
            await first.Services.GetRequiredService<StockLedger>().SetLevelAsync("sku-ver", 10);
            await RegisterAsync(http, gatewayHttp, old);
            await WaitForStepAsync(first.Durable, old.OrderId, "AwaitingPayment");
        }

        // The deploy: the same task hub, a host whose saga version is one newer.
        settings["Saga:Version"] = SagaVersions.StockMilestones;
        await using var second = await StartHostAsync(settings);
        await RegisterAsync(http, gatewayHttp, fresh);
        await WaitForStepAsync(second.Durable, fresh.OrderId, "AwaitingPayment");
        await gateway.PayAsync(old.PaymentId);
        await gateway.PayAsync(fresh.PaymentId);

        foreach (var order in new[] { old, fresh })
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var end = await second.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(order.OrderId), getInputsAndOutputs: true, cts.Token);
            Assert.True(end.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{order.OrderId}: {end.RuntimeStatus} {end.FailureDetails?.ErrorMessage}");
            Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), end.ReadOutputAs<SagaOutcome>());
        }
        var history = new DurableTables(settings["AzureWebJobsStorage"]!, settings["DurableTaskHubName"]!);
        Assert.Equal(SagaVersions.First, await history.VersionAsync(OrderSaga.InstanceId(old.OrderId)));
        Assert.Equal(SagaVersions.StockMilestones, await history.VersionAsync(OrderSaga.InstanceId(fresh.OrderId)));
        Assert.Equal(["Registered", "Paid", "Completed"], await history.RecordedStepsAsync(OrderSaga.InstanceId(old.OrderId)));
        Assert.Equal(["Registered", "StockReserved", "Paid", "StockCommitted", "Completed"], await history.RecordedStepsAsync(OrderSaga.InstanceId(fresh.OrderId)));
        Assert.Equal(new StockLevel("sku-ver", 8, 0, 2), await second.Services.GetRequiredService<StockLedger>().GetLevelAsync("sku-ver"));
    }

    private static OrderRequest Order(string orderId) =>
        new(orderId, "cust-" + orderId, [new OrderLine("sku-ver", 1)], 1200, "EUR", "standard", "pay-" + orderId);

    private static Task<LocalFunctionsHost> StartHostAsync(Dictionary<string, string?> settings) =>
        LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings));

    private static async Task RegisterAsync(HttpClient http, HttpClient gatewayHttp, OrderRequest order)
    {
        using var created = await gatewayHttp.PostAsJsonAsync("v1/payments", new { order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, order.Provider });
        created.EnsureSuccessStatusCode();
        using var registered = await http.PostAsJsonAsync("api/orders", order);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, registered.StatusCode);
    }

    private static async Task WaitForStepAsync(DurableTaskClient durable, string orderId, string step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if ((await durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains(step, StringComparison.Ordinal) == true)
            {
                return;
            }
            await Task.Delay(100);
        }
        var instance = await durable.GetInstanceAsync(OrderSaga.InstanceId(orderId), getInputsAndOutputs: true);
        throw new TimeoutException($"Order {orderId} never reached step {step}: {instance?.RuntimeStatus} {instance?.SerializedCustomStatus} {instance?.FailureDetails?.ErrorMessage}");
    }
}
