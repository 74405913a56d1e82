using System.Net;
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
