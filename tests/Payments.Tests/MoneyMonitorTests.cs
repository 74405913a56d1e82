using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.DevKit;
using Payments.Functions;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Gates in front of the stock commit and the gateway's refunds; refunds followed from the first second.</summary>
public sealed class MoneyMonitorFixture : PipelineFixture
{
    public StepGates Gates { get; } = new();

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "moneymonitor",
        settings =>
        {
            settings["Reconciler:RefundFirstCheckSeconds"] = "1";
            settings["Reconciler:RefundMaxCheckIntervalSeconds"] = "1";
        },
        services: Gates.Install);
}

/// <summary>
/// The money monitor on the real pipeline: each rule found on the path that breaks it, after its bound
/// and not before (the monitor is run on a clock moved forward), stored for the console, and gone once
/// the money is settled. Findings of this class's other tests may stand beside; each test looks at its own.
/// </summary>
public sealed class MoneyMonitorTests(MoneyMonitorFixture fixture) : IClassFixture<MoneyMonitorFixture>
{
    private static readonly TimeSpan CaptureBound = TimeSpan.FromMinutes(new MonitorOptions().CaptureSettleMinutes);
    private static readonly TimeSpan RefundBound = TimeSpan.FromHours(new ReconcilerOptions().RefundOverdueAfterHours);

    private static readonly Dictionary<string, long> Stocked = new() { ["sku-mm1"] = 2, ["sku-mm2"] = 2, ["sku-mm3"] = 2 };

    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_capture_whose_order_never_completes_is_a_finding_after_the_bound_not_before_listed_on_the_console_and_gone_once_completed()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mm1", 2);
        var order = await Pipeline.RegisterOrderAsync("mm1", sku: "sku-mm1");
        fixture.Gates.HoldCommitThenCommit(order.OrderId);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await fixture.Gates.CommitReachedAsync(order.OrderId); // captured and recorded; the order waits in Paid

        Assert.DoesNotContain(await FindingsAsync(TimeSpan.FromMinutes(1)), f => f.OrderId == order.OrderId);
        var late = await FindingsAsync(CaptureBound + TimeSpan.FromMinutes(1));
        var finding = Assert.Single(late, f => f.OrderId == order.OrderId);
        Assert.Equal((MoneyRuleNames.CaptureUnsettled, order.PaymentId, 2500L, "EUR"), (finding.Rule, finding.PaymentId, finding.AmountMinor, finding.Currency));
        Assert.Contains("order Paid", finding.Detail, StringComparison.Ordinal);

        // The console's route reads the stored finding, with the link that opens the order's timeline.
        var panel = await GetJsonAsync("api/ops/console/money");
        var row = Assert.Single(panel.GetProperty("findings").EnumerateArray(), r => r.GetProperty("finding").GetProperty("orderId").GetString() == order.OrderId);
        Assert.Equal($"ops/console?q={order.OrderId}", row.GetProperty("timeline").GetString());
        Assert.Equal(order.OrderId, (await GetJsonAsync($"api/ops/console/timeline/{order.OrderId}")).GetProperty("order").GetProperty("orderId").GetString());

        fixture.Gates.LetCommitGo(order.OrderId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.DoesNotContain(await FindingsAsync(CaptureBound + TimeSpan.FromMinutes(1)), f => f.OrderId == order.OrderId);
        Assert.DoesNotContain((await Pipeline.Service<MoneyFindingStore>().ReadAsync())!.Findings, f => f.OrderId == order.OrderId);
        Assert.DoesNotContain(await Collect.AllAsync(Money.Watch.ListCapturesAsync()), c => c.OrderId == order.OrderId); // unlisted by the settle step
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    /// <summary>
    /// A refund accepted and then stuck is the refund rule's finding (the capture waits on it); once it
    /// fails, the capture is unsettled; once the operator's retry pays, neither stands.
    /// </summary>
    [Fact]
    public async Task A_refund_stuck_pending_past_its_bound_is_a_finding_a_failed_one_leaves_its_capture_unsettled_and_the_paid_retry_clears_both()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mm2", 2);
        var order = await Pipeline.RegisterOrderAsync("mm2", sku: "sku-mm2");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        using (var scripted = await Pipeline.GatewayHttp.PostAsJsonAsync($"sim/payments/{order.PaymentId}/refund-faults", new { failAfterAcceptance = 1 }))
        {
            Assert.Equal(HttpStatusCode.NoContent, scripted.StatusCode);
        }
        await Pipeline.Gateway.PayAsync(order.PaymentId, amountMinor: 2400); // paid short: the saga refunds; the gateway accepts, pending
        Assert.Equal(new SagaOutcome(OrderStatus.Refunded, "amount_mismatch"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        var key = "refund-" + order.PaymentId;

        Assert.DoesNotContain(await FindingsAsync(RefundBound - TimeSpan.FromHours(1)), f => f.OrderId == order.OrderId && f.Rule == MoneyRuleNames.RefundOverdue);
        var stuck = (await FindingsAsync(RefundBound + TimeSpan.FromHours(1))).Where(f => f.OrderId == order.OrderId).ToList();
        var overdue = Assert.Single(stuck);
        Assert.Equal((MoneyRuleNames.RefundOverdue, $"{order.OrderId}~{key}", 2400L), (overdue.Rule, overdue.Subject, overdue.AmountMinor));
        Assert.Contains("still Pending", overdue.Detail, StringComparison.Ordinal);

        await TrackUntilFinalAsync(order.OrderId, key); // the gateway says failed: parked with its retry
        var unsettled = Assert.Single(await FindingsAsync(CaptureBound + TimeSpan.FromMinutes(1)), f => f.OrderId == order.OrderId);
        Assert.Equal(MoneyRuleNames.CaptureUnsettled, unsettled.Rule);
        Assert.Contains($"refund {key} 2400 Failed", unsettled.Detail, StringComparison.Ordinal);

        var parked = (await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(order.PaymentId)))!;
        using (var retry = await Pipeline.Http.PostAsync($"api/ops/refunds/{parked.Key}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        }
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            await Pipeline.Durable.WaitForInstanceCompletionAsync($"refund-op-{order.PaymentId}-1", cts.Token);
        }
        Assert.DoesNotContain(await FindingsAsync(RefundBound + TimeSpan.FromHours(1)), f => f.OrderId == order.OrderId);
        Assert.DoesNotContain(await Collect.AllAsync(Money.Watch.ListCapturesAsync()), c => c.OrderId == order.OrderId); // refunded in full, final
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task A_points_balance_that_is_not_grants_less_reversals_is_a_finding_every_run_until_it_is_mended()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-mm3", 2);
        var order = await Pipeline.RegisterOrderAsync("mm3", sku: "sku-mm3");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Contains(await Collect.AllAsync(Money.Watch.ListCustomersAsync()), c => c.CustomerId == order.CustomerId);

        await SetBalanceAsync(order.CustomerId, 999); // by hand, beside the ledger's transaction
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var finding = Assert.Single(await FindingsAsync(TimeSpan.Zero), f => f.CustomerId == order.CustomerId);
            Assert.Equal((MoneyRuleNames.PointsBalance, "balance 999, grants 25 less reversals 0 = 25"), (finding.Rule, finding.Detail));
        }

        await SetBalanceAsync(order.CustomerId, 25);
        Assert.DoesNotContain(await FindingsAsync(TimeSpan.Zero), f => f.CustomerId == order.CustomerId);
        Assert.DoesNotContain(await Collect.AllAsync(Money.Watch.ListCustomersAsync()), c => c.CustomerId == order.CustomerId); // checked, cleared
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task The_money_routes_refuse_callers_without_the_operator_sign_in_or_from_another_site()
    {
        var settings = await PipelineHost.SettingsAsync("mmauth" + Guid.NewGuid().ToString("N")[..6], FreePort.Next());
        settings["OperatorAccess:RequireSignIn"] = "true";
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9"; // never called here
        await using var services = new ServiceCollection().AddLogging().AddPaymentsCore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        var console = ActivatorUtilities.CreateInstance<ConsoleFunctions>(services);
        var monitor = ActivatorUtilities.CreateInstance<MonitorFunctions>(services);

        Assert.Equal(401, ((HttpReply)await console.Money(Request(services, "GET"), CancellationToken.None)).StatusCode);
        Assert.Equal(401, ((HttpReply)await monitor.RunNow(Request(services, "POST"), CancellationToken.None)).StatusCode);
        var crossSite = Request(services, "POST");
        crossSite.Headers.Origin = "https://attacker.example";
        Assert.Equal(403, ((HttpReply)await monitor.RunNow(crossSite, CancellationToken.None)).StatusCode);
        Assert.Equal(200, ((HttpReply)await console.Money(Request(services, "GET", signedIn: true), CancellationToken.None)).StatusCode);
        Assert.Null(await services.GetRequiredService<MoneyFindingStore>().ReadAsync()); // nothing ran
    }

    private MoneyLedger Money => Pipeline.Service<MoneyLedger>();

    /// <summary>One monitor run as the timer makes it, on a clock <paramref name="later"/> from now; the findings it stored.</summary>
    private async Task<IReadOnlyList<MoneyFinding>> FindingsAsync(TimeSpan later)
    {
        var monitor = ActivatorUtilities.CreateInstance<MoneyMonitor>(Pipeline.Host.Services, (TimeProvider)new FakeTimeProvider(DateTimeOffset.UtcNow + later));
        var report = await monitor.RunAsync();
        Assert.Equal(report.Findings.Count, report.FindingsByRule.Values.Sum());
        return report.Findings;
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var reply = await Pipeline.Http.GetAsync(path);
        Assert.True(reply.IsSuccessStatusCode, $"{path}: {(int)reply.StatusCode}");
        return JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task TrackUntilFinalAsync(string orderId, string key)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await Money.FindRefundAsync(orderId, key, null, cts.Token) is not { RefundState: { } state } || !state.IsFinal())
        {
            await Pipeline.Service<RefundTracker>().TrackAsync(cts.Token);
            await Task.Delay(300, cts.Token);
        }
    }

    private async Task SetBalanceAsync(string customerId, long points)
    {
        var table = await Pipeline.Service<PaymentsStorage>().TableAsync(TableNames.Points);
        await table.UpsertEntityAsync(new TableEntity(customerId, "balance") { ["Points"] = points }, TableUpdateMode.Merge);
    }

    private static HttpRequest Request(IServiceProvider services, string method, bool signedIn = false)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = method;
        http.Request.Host = new HostString("payments.example");
        if (signedIn)
        {
            var principal = JsonSerializer.Serialize(new { claims = new[] { new { typ = "name", val = "olga@contoso.example" }, new { typ = "roles", val = "Payments.Operator" } } });
            http.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(principal));
        }
        return http.Request;
    }
}
