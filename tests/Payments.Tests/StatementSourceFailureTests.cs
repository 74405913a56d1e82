using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Webhooks all lost, so only the statement can settle the day's payments; Stripe's statement breaks
/// off half-way on its first three reads (the fault decorator of tools/Payments.Faults), and the run
/// asks a failed gateway again after a second.
/// </summary>
public sealed class StatementSourceFailureFixture : PipelineFixture
{
    public const int StripeReadFailures = 3;

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "stmtsource",
        settings =>
        {
            settings["Reconciler:StatementChunkLines"] = "2";
            settings["Reconciler:StatementSourceRetrySeconds"] = "2";
            settings["Faults:FailingStatementProviders"] = "stripe";
            settings["Faults:StatementReadFailures"] = StripeReadFailures.ToString(System.Globalization.CultureInfo.InvariantCulture);
        },
        gateway => gateway with { LossRate = 1.0 });
}

/// <summary>One gateway's statement failing does not stop the day: the others are reconciled, the failure is reported, and the run reads it again.</summary>
public sealed class StatementSourceFailureTests(StatementSourceFailureFixture fixture) : IClassFixture<StatementSourceFailureFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_gateway_whose_statement_breaks_off_is_reported_and_read_again_by_the_run_while_the_other_gateways_lines_are_reconciled()
    {
        // Every statement read that failed, as the sources-failed counter records it (tagged by provider).
        using var failures = new MetricCollector<long>(PipelineMetrics.StatementSourcesFailed);
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-sf", 10);
        var orders = new List<OrderRequest>();
        foreach (var (id, provider) in new[] { ("sf-std1", "standard"), ("sf-str1", "stripe"), ("sf-str2", "stripe"), ("sf-std2", "standard") })
        {
            var order = await Pipeline.RegisterOrderAsync(id, amount: 1500, sku: "sku-sf", provider: provider);
            await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
            await Pipeline.Gateway.PayAsync(order.PaymentId); // its webhook lost
            orders.Add(order);
        }
        var day = DateOnly.FromDateTime(DateTime.UtcNow);

        using (var started = await Pipeline.Http.PostAsync($"api/ops/reconciliation/{day:yyyy-MM-dd}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        // While Stripe is being asked again, the day's report names it (and only it) as not read.
        var during = await ReportWhenAsync(day, r => r.SourceFailures is { Count: > 0 });
        var failure = Assert.Single(during.SourceFailures!);
        Assert.Equal(("stripe", nameof(Payments.Faults.InjectedFaultException)), (failure.Provider, failure.Reason));
        Assert.False(during.Finished);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var run = await Pipeline.Durable.WaitForInstanceCompletionAsync(StatementRun.InstanceId(day), getInputsAndOutputs: false, cts.Token);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var report = (await Pipeline.Http.GetFromJsonAsync<StatementReport>($"api/ops/reconciliation/{day:yyyy-MM-dd}", System.Text.Json.JsonSerializerOptions.Web))!;

        // Every gateway's payments healed once: the standard ones from the first read, Stripe's from the read that went through.
        Assert.True(report.Finished);
        Assert.Empty(report.SourceFailures!);
        Assert.Null(report.Failure);
        Assert.Equal(orders.Select(o => o.OrderId).Order(), report.Discrepancies.Where(d => d.Class == DiscrepancyClass.PaidButUnknown).Select(d => d.OrderId).Order());
        Assert.All(report.Discrepancies, d => Assert.Equal("payment_applied", d.Action));
        foreach (var order in orders)
        {
            Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
            Assert.Empty(Pipeline.Gateway.RefundsOf(order.PaymentId));
        }
        // The lines staged from the broken-off reads were dropped, not counted twice.
        Assert.Equal(4, report.Lines);
        Assert.Equal(Enumerable.Repeat("stripe", StatementSourceFailureFixture.StripeReadFailures),
            failures.GetMeasurementSnapshot().Select(m => m.Tags["provider"]?.ToString() ?? ""));
    }

    private async Task<StatementReport> ReportWhenAsync(DateOnly day, Func<StatementReport, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var reply = await Pipeline.Http.GetAsync($"api/ops/reconciliation/{day:yyyy-MM-dd}");
            if (reply.StatusCode == HttpStatusCode.OK
                && await reply.Content.ReadFromJsonAsync<StatementReport>(System.Text.Json.JsonSerializerOptions.Web) is { } report && condition(report))
            {
                return report;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The day's report never showed the condition.");
    }
}
