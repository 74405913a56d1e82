using System.Net.Http.Json;
using System.Text.Json;
using GatewaySimulator;
using Payments.Contracts;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Sagas live in storage, not in the process: a host killed mid-saga resumes them after restart.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task Sagas_waiting_on_their_payment_timer_finish_correctly_after_the_host_is_killed_and_restarted()
    {
        var port = FreePort.Next();
        var prefix = "tkill" + Guid.NewGuid().ToString("N")[..6];
        // Webhooks are lost, so every saga must reach its timer and settle with the gateway after the restart.
        await using var gateway = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = $"http://127.0.0.1:{port}", LossRate = 1.0 });
        var settings = await PipelineHost.SettingsAsync(prefix, port, gateway);
        settings["Saga:PaymentWindowSeconds"] = "8";
        settings["Logging:LogLevel:Default"] = "Information";
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = settings["PaymentsStorage:ConnectionString"]!, NamePrefix = prefix });
        var stock = new StockLedger(storage);
        var points = new PointsLedger(storage);
        await stock.SetLevelAsync("sku-k", 20);

        var orders = Enumerable.Range(1, 6).Select(i => new OrderRequest($"kill{i}", $"cust{i}", [new OrderLine("sku-k", 2)], 1000 * i, "EUR", "standard", $"pay-kill{i}")).ToArray();
        var paid = orders.Where((_, i) => i % 2 == 0).ToArray();
        using var gatewayHttp = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        using (var first = await LocalHostProcess.StartAsync(settings, port))
        {
            foreach (var order in orders)
            {
                (await gatewayHttp.PostAsJsonAsync("v1/payments", new { order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, order.Provider })).EnsureSuccessStatusCode();
                (await http.PostAsJsonAsync("api/orders", order)).EnsureSuccessStatusCode();
            }
            foreach (var order in orders)
            {
                await first.WaitForOrderAsync(http, order.OrderId, view => view.Step == "AwaitingPayment");
            }
            foreach (var order in paid)
            {
                await gateway.PayAsync(order.PaymentId);
            }
            first.Kill();
        }

        using var second = await LocalHostProcess.StartAsync(settings, port);
        foreach (var order in orders)
        {
            var view = await second.WaitForOrderAsync(http, order.OrderId, v => v.Status is "Completed" or "Cancelled" or "Refunded");
            Assert.Equal(paid.Contains(order) ? ("Completed", (string?)null) : ("Cancelled", "timeout"), (view.Status, view.Reason));
        }

        Assert.Equal(new StockLevel("sku-k", 20 - 2 * paid.Length, 0, 2 * paid.Length), await stock.GetLevelAsync("sku-k"));
        var grants = await Collect.AllAsync(points.ListGrantsAsync());
        Assert.Equal(paid.Select(o => o.OrderId).Order(), grants.Select(g => g.OrderId).Order());
        foreach (var order in paid)
        {
            Assert.Equal(order.AmountMinor / 100, await points.GetBalanceAsync(order.CustomerId));
        }
        Assert.All(gateway.Payments, p => Assert.Equal(0, p.RefundedMinor));
        Assert.Equal(orders.Length - paid.Length, gateway.Payments.Count(p => p.Status == "closed"));
    }
}
