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
        var mid = Order("ver-mid");
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
        await using (var second = await StartHostAsync(settings))
        {
            await RegisterAsync(http, gatewayHttp, mid);
            await WaitForStepAsync(second.Durable, mid.OrderId, "AwaitingPayment");
        }

        // And the next one (2.0 → 3.0): the 1.0 and 2.0 sagas are still waiting for their payments.
        settings["Saga:Version"] = SagaVersions.FoldedSteps;
        await using var third = await StartHostAsync(settings);
        await RegisterAsync(http, gatewayHttp, fresh);
        await WaitForStepAsync(third.Durable, fresh.OrderId, "AwaitingPayment");
        await gateway.PayAsync(old.PaymentId);
        await gateway.PayAsync(mid.PaymentId);
        await gateway.PayAsync(fresh.PaymentId);

        foreach (var order in new[] { old, mid, fresh })
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var end = await third.Durable.WaitForInstanceCompletionAsync(OrderSaga.InstanceId(order.OrderId), getInputsAndOutputs: true, cts.Token);
            Assert.True(end.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{order.OrderId}: {end.RuntimeStatus} {end.FailureDetails?.ErrorMessage}");
            Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), end.ReadOutputAs<SagaOutcome>());
        }
        var history = new DurableTables(settings["AzureWebJobsStorage"]!, settings["DurableTaskHubName"]!);
        Assert.Equal(SagaVersions.First, await history.VersionAsync(OrderSaga.InstanceId(old.OrderId)));
        Assert.Equal(SagaVersions.StockMilestones, await history.VersionAsync(OrderSaga.InstanceId(mid.OrderId)));
        Assert.Equal(SagaVersions.FoldedSteps, await history.VersionAsync(OrderSaga.InstanceId(fresh.OrderId)));
        Assert.Equal(["Registered", "Paid", "Completed"], await history.RecordedStepsAsync(OrderSaga.InstanceId(old.OrderId)));
        Assert.Equal(["Registered", "StockReserved", "Paid", "StockCommitted", "Completed"], await history.RecordedStepsAsync(OrderSaga.InstanceId(mid.OrderId)));
        // 3.0: two activities in all, the read-model milestones written inside them.
        Assert.Equal([SagaActivityNames.HoldStock, SagaActivityNames.SettlePaidOrder], await history.ScheduledActivitiesAsync(OrderSaga.InstanceId(fresh.OrderId)));
        var orders = third.Services.GetRequiredService<OrderBook>();
        foreach (var order in new[] { old, mid, fresh })
        {
            Assert.Equal((OrderStatus.Completed, "Completed", 1200L), await orders.GetAsync(order.OrderId) is { } row ? (row.Status, row.Step, row.PaidAmountMinor) : default);
        }
        Assert.Equal(new StockLevel("sku-ver", 7, 0, 3), await third.Services.GetRequiredService<StockLedger>().GetLevelAsync("sku-ver"));
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
