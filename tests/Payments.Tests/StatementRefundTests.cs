using System.Net;
using System.Net.Http.Json;
using Payments.Contracts;
using Payments.Demo.Invariants;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Every webhook lost, the refund notices too: only the statement can tell of a dashboard refund.</summary>
public sealed class LostRefundNoticeFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("lostrefund", gateway: g => g with { LossRate = 1.0 });
}

/// <summary>
/// A refund made in the gateway's dashboard whose every notice was lost: the daily statement records it
/// as the notice would have (ledger row, order reversed, points reversed), once.
/// </summary>
public sealed class StatementRefundTests(LostRefundNoticeFixture fixture) : IClassFixture<LostRefundNoticeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_dashboard_refund_whose_every_notice_was_lost_is_recorded_by_the_statement_and_reverses_the_order_and_its_points_once()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-lr", 2);
        var order = await Pipeline.RegisterOrderAsync("lr1", sku: "sku-lr");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        using (var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg-lr1",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        var points = Pipeline.Service<PointsLedger>();
        Assert.Equal(25, await points.GetBalanceAsync(order.CustomerId));

        var refundId = Pipeline.Gateway.DashboardRefund(order.PaymentId, 1000);
        var report = await Pipeline.ReconcileStatementAsync();

        var found = Assert.Single(report.Discrepancies, d => d.OrderId == order.OrderId);
        Assert.Equal((DiscrepancyClass.RefundedAtGatewayOnly, "refund_recorded"), (found.Class, found.Action));
        var reversed = (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!;
        Assert.Equal((OrderStatus.PartiallyRefunded, RefundFollowUp.ExternalReason), (reversed.Status, reversed.Reason));
        var recorded = (await Pipeline.Service<MoneyLedger>().FindRefundAsync(order.OrderId, null, refundId))!;
        Assert.Equal((MoneyInitiators.Gateway, nameof(RefundState.Succeeded), 1000L, "EUR"), (recorded.Initiator, recorded.State, recorded.AmountMinor, recorded.Currency));
        Assert.Equal(["statement"], recorded.Observations.Select(o => o.Source));
        Assert.Equal(25 - 10, await points.GetBalanceAsync(order.CustomerId));

        var again = await Pipeline.ReconcileStatementAsync();

        Assert.Equal(0, again.NewDiscrepancies);
        Assert.Equal(25 - 10, await points.GetBalanceAsync(order.CustomerId));
        Assert.Single(await Collect.AllAsync(points.ListReversalsAsync()), r => r.OrderId == order.OrderId);
        await AssertEveryInvariantHoldsAsync();
    }

    private async Task AssertEveryInvariantHoldsAsync()
    {
        // No timers here: the outbox relay's second look confirms the success raised to the running saga.
        await Task.Delay(OutboxRelay.SettleTime);
        await Pipeline.Service<OutboxRelay>().RelayAsync(Pipeline.Durable);
        var loader = new SnapshotLoader(Pipeline.Service<PaymentsStorage>(), Pipeline.Service<IPaymentGateway>(), Pipeline.Durable);
        var snapshot = await loader.LoadAsync(Pipeline.Gateway.Payments, new Dictionary<string, long> { ["sku-lr"] = 2 }, DateTimeOffset.UtcNow.AddMinutes(-30),
            gatewayRefunds: Pipeline.Gateway.Refunds);
        var report = InvariantChecker.Check(snapshot);
        Assert.True(report.AllHold, "Invariant violations:\n" + string.Join("\n", report.Violations));
    }
}

/// <summary>The statement's look the other way on for every capture (no margin), every webhook lost: tests post their own.</summary>
public sealed class LedgerOnlyFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("ledgeronly", settings =>
    {
        settings["Reconciler:StatementLedgerOnlyMarginSeconds"] = "0";
        settings["Reconciler:StatementIndexLagMinutes"] = "1";
    }, gateway: g => g with { LossRate = 1.0 });
}

/// <summary>
/// The statement matched both ways: a capture the ledger holds that the gateway's statement does not
/// list (短款), and a refund the statement says was paid that the ledger holds as failed. Both are
/// discrepancies with names, parked for an operator once. (The ledgers here disagree with the gateway on
/// purpose, so the money invariants are not the point: the report is.)
/// </summary>
public sealed class StatementBothWaysTests(LedgerOnlyFixture fixture) : IClassFixture<LedgerOnlyFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_capture_the_ledger_recorded_that_the_statement_does_not_list_is_ledger_only_and_parked_once()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-lo", 2);
        var order = await Pipeline.RegisterOrderAsync("lo1", sku: "sku-lo");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        // Signed, so taken: the ledger records a capture the gateway never made.
        await PostSuccessAsync(order, "msg-lo1");
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        var report = await Pipeline.ReconcileStatementAsync();

        var found = Assert.Single(report.Discrepancies, d => d.PaymentId == order.PaymentId);
        Assert.Equal((DiscrepancyClass.LedgerOnly, "parked", order.AmountMinor), (found.Class, found.Action, found.AmountMinor));
        Assert.NotNull(await Pipeline.Service<ParkedItems>().GetAsync("reconciliation_" + nameof(DiscrepancyClass.LedgerOnly), order.OrderId));
        var again = await Pipeline.ReconcileStatementAsync();
        Assert.Equal(0, again.NewDiscrepancies);
        Assert.Single(again.Discrepancies, d => d.PaymentId == order.PaymentId);
    }

    [Fact]
    public async Task A_refund_the_statement_says_was_paid_and_the_ledger_holds_as_failed_is_a_status_mismatch()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-sm", 2);
        var order = await Pipeline.RegisterOrderAsync("sm1", sku: "sku-sm");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await PostSuccessAsync(order, "msg-sm1");
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        using (var refund = await Pipeline.Http.PostAsJsonAsync($"api/orders/{order.OrderId}/refunds", new { amountMinor = 1000, reason = "customer_return", idempotencyKey = "sm-1" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        }
        var money = Pipeline.Service<MoneyLedger>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        MoneyMovement? paid;
        while ((paid = (await money.ListAsync(order.OrderId)).FirstOrDefault(m => m.Kind == MoneyKinds.Refund && m.State == nameof(RefundState.Succeeded))) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the after-sales refund never paid");
            await Task.Delay(200);
        }
        // The ledger's word turned to failed (a bad observation, a hand edit): the statement disagrees.
        var table = await Pipeline.Service<PaymentsStorage>().TableAsync(TableNames.Money);
        var row = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(order.OrderId, MoneyLedger.RefundKey(paid.Key))).Value;
        row["State"] = nameof(RefundState.Failed);
        await table.UpdateEntityAsync(row, row.ETag);

        var report = await Pipeline.ReconcileStatementAsync();

        var found = Assert.Single(report.Discrepancies, d => d.PaymentId == order.PaymentId && d.Class == DiscrepancyClass.StatusMismatch);
        Assert.Equal(("parked", 1000L), (found.Action, found.AmountMinor));
        Assert.Contains("is Failed", found.Detail, StringComparison.Ordinal);
    }

    private async Task PostSuccessAsync(OrderRequest order, string eventId)
    {
        using var reply = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, eventId,
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor)));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
    }
}
