using System.Net.Http.Json;
using System.Text.Json;
using GatewaySimulator;
using Payments.Contracts;
using Payments.Hosting;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The statement run lives in storage, not in the process: a host killed mid-statement resumes it where it stopped.</summary>
public sealed class StatementRunDurabilityTests
{
    private const int Orders = 10;

    [Fact]
    public async Task A_statement_run_killed_between_chunks_finishes_after_restart_with_the_result_of_an_uninterrupted_run()
    {
        var port = FreePort.Next();
        var prefix = "tskill" + Guid.NewGuid().ToString("N")[..6];
        // Webhooks lost: every payment is the statement's to apply (PaidButUnknown), an action that must happen once.
        await using var gateway = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = $"http://127.0.0.1:{port}", LossRate = 1.0, MalformedStatementLines = 1 });
        var settings = await PipelineHost.SettingsAsync(prefix, port, gateway);
        settings["Saga:PaymentWindowSeconds"] = "600";
        settings["Reconciler:StatementChunkLines"] = "1"; // one row a chunk: many checkpoints to die between
        var storage = PaymentsServices.CreateStorage(new StorageOptions { ConnectionString = settings["PaymentsStorage:ConnectionString"]!, NamePrefix = prefix });
        await new Payments.Ledger.StockLedger(storage).SetLevelAsync("sku-sk", 50);
        var reports = new ReconciliationStore(storage);
        var orders = Enumerable.Range(1, Orders).Select(i => new OrderRequest($"sk{i}", $"cust{i}", [new OrderLine("sku-sk", 1)], 1000 + i, "EUR", "standard", $"pay-sk{i}")).ToArray();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var gatewayHttp = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        StatementReport atKill;
        using (var first = await LocalHostProcess.StartAsync(settings, port))
        {
            foreach (var order in orders)
            {
                (await gatewayHttp.PostAsJsonAsync("v1/payments", new { order.PaymentId, order.OrderId, order.AmountMinor, order.Currency, order.Provider })).EnsureSuccessStatusCode();
                (await http.PostAsJsonAsync("api/orders", order)).EnsureSuccessStatusCode();
            }
            foreach (var order in orders)
            {
                await first.WaitForOrderAsync(http, order.OrderId, v => v.Step == "AwaitingPayment");
                await gateway.PayAsync(order.PaymentId);
            }
            (await http.PostAsync($"api/ops/reconciliation/{today:yyyy-MM-dd}", null)).EnsureSuccessStatusCode();
            atKill = await WaitForReportAsync(reports, today, r => r.ChunksDone >= 3);
            first.Kill();
        }
        Assert.False(atKill.Finished, "The run finished before the kill; nothing was interrupted.");

        using var second = await LocalHostProcess.StartAsync(settings, port);
        var report = await WaitForReportAsync(reports, today, r => r.Finished, TimeSpan.FromMinutes(3));

        // What an uninterrupted run finds: every payment applied once, the glitched row isolated.
        Assert.Equal((Orders + 1L, Orders + 1, Orders), (report.Lines, report.Chunks, report.NewDiscrepancies));
        Assert.Equal(
            orders.Select(o => (DiscrepancyClass.PaidButUnknown, o.PaymentId, o.OrderId)).Order(),
            report.Discrepancies.Select(d => (d.Class, d.PaymentId, d.OrderId)).Order());
        Assert.DoesNotContain(report.Discrepancies, d => d.Action == ReconciliationStore.Pending);
        Assert.Single(report.Malformed!);
        foreach (var order in orders)
        {
            Assert.Equal("Completed", (await second.WaitForOrderAsync(http, order.OrderId, v => v.Status is "Completed" or "Cancelled" or "Refunded")).Status);
            Assert.Empty(gateway.RefundsOf(order.PaymentId));
        }

        // And a second run of the day changes nothing.
        (await http.PostAsync($"api/ops/reconciliation/{today:yyyy-MM-dd}", null)).EnsureSuccessStatusCode();
        var again = await WaitForReportAsync(reports, today, r => r.Finished, TimeSpan.FromMinutes(2));
        Assert.Equal(0, again.NewDiscrepancies);
        Assert.Equal(report.Discrepancies, again.Discrepancies);
        Assert.Equal(report.Malformed, again.Malformed);
    }

    private static async Task<StatementReport> WaitForReportAsync(ReconciliationStore reports, DateOnly date, Func<StatementReport, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (await reports.GetReportAsync(date, CancellationToken.None) is { } report && done(report))
            {
                return report;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The statement run of {date} never got there.");
    }
}
