using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>Every webhook the simulator sends is delivered twice: a dispute's duplicates must change nothing twice.</summary>
public sealed class DisputeFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("disputes", gateway: options => options with { DuplicateRate = 1 });
}

/// <summary>
/// Disputes and chargebacks end to end, from the simulator's Stripe and Adyen dialects: each is a dispute
/// row in the money ledger with its state and every observation, parked for an operator; a lost one
/// reverses the order (reason chargeback) and the points in proportion; a won one reverses nothing, and a
/// chargeback reversed after its reversal re-grants nothing but is parked.
/// </summary>
public sealed class DisputeTests(DisputeFixture fixture) : IClassFixture<DisputeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private MoneyLedger Money => Pipeline.Service<MoneyLedger>();

    private static readonly Dictionary<string, long> Stocked = new()
    {
        ["sku-dp1"] = 2, ["sku-dp2"] = 2, ["sku-dp3"] = 2, ["sku-dp4"] = 2, ["sku-dp5"] = 2,
    };

    [Fact]
    public async Task A_stripe_dispute_opened_is_a_ledger_row_opened_and_parked_for_an_operator_and_the_order_stays_completed()
    {
        var order = await CompletedOrderAsync("dp1", "sku-dp1", "stripe");

        var dispute = Pipeline.Gateway.Dispute(order.PaymentId, "open");

        var row = await WaitForDisputeAsync(order.OrderId, dispute.DisputeId, DisputeState.Opened);
        Assert.Equal((MoneyInitiators.Dispute, 2500L, "EUR", order.PaymentId), (row.Initiator, row.AmountMinor, row.Currency, row.PaymentId));
        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.DisputeOpened, $"stripe:{dispute.DisputeId}");
        Assert.Equal(order.OrderId, parked?.OrderId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        Assert.Equal(25, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task A_stripe_dispute_lost_reverses_the_order_and_the_points_in_proportion_and_every_duplicate_changes_nothing_twice()
    {
        var order = await CompletedOrderAsync("dp2", "sku-dp2", "stripe");

        var dispute = Pipeline.Gateway.Dispute(order.PaymentId, "lost", amountMinor: 1000);

        var reversed = await WaitForOrderAsync(order.OrderId, OrderStatus.PartiallyRefunded);
        Assert.Equal(DisputeFollowUp.ChargebackReason, reversed.Reason);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(60));
        var row = await WaitForDisputeAsync(order.OrderId, dispute.DisputeId, DisputeState.Lost);
        // Created, funds withdrawn, closed lost: each observed once though each was delivered twice.
        Assert.Equal(["FundsWithdrawn", "Lost", "Opened"], row.Observations.Select(o => o.State).Order(StringComparer.Ordinal));
        Assert.Single(await Money.ListAsync(order.OrderId), m => m.Kind == MoneyKinds.Dispute);
        Assert.All(await DisputeInboxRowsAsync(order.OrderId), r => Assert.Contains(r.Deliveries ?? [], d => d.Answer == "200 duplicate"));
        var reversal = Assert.Single(await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListReversalsAsync()), r => r.OrderId == order.OrderId);
        Assert.Equal((10L, $"{MoneyInitiators.Dispute}:{MoneyLedger.DisputeReason}"), (reversal.Points, reversal.Cause)); // 40 % of 25 points
        Assert.Equal(25 - 10, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task A_stripe_dispute_won_is_recorded_won_and_reverses_nothing()
    {
        var order = await CompletedOrderAsync("dp3", "sku-dp3", "stripe");

        var dispute = Pipeline.Gateway.Dispute(order.PaymentId, "won");

        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(60));
        var row = await WaitForDisputeAsync(order.OrderId, dispute.DisputeId, DisputeState.Won);
        Assert.Contains(row.Observations, o => o.State == "FundsReinstated");
        Assert.Equal(OrderStatus.Completed, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);
        Assert.Equal(25, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        Assert.DoesNotContain(await Collect.AllAsync(Pipeline.Service<PointsLedger>().ListReversalsAsync()), r => r.OrderId == order.OrderId);
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task An_adyen_chargeback_on_a_completed_order_reverses_it_and_all_its_points()
    {
        var order = await CompletedOrderAsync("dp4", "sku-dp4", "adyen");

        var dispute = Pipeline.Gateway.Dispute(order.PaymentId, "lost");

        var reversed = await WaitForOrderAsync(order.OrderId, OrderStatus.Refunded);
        Assert.Equal(DisputeFollowUp.ChargebackReason, reversed.Reason);
        var row = await WaitForDisputeAsync(order.OrderId, dispute.DisputeId, DisputeState.Lost);
        Assert.Equal(("adyen", 2500L), (row.Provider, row.AmountMinor));
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        Assert.NotNull(await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.DisputeOpened, $"adyen:{dispute.DisputeId}"));
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task An_adyen_chargeback_reversed_after_the_order_was_reversed_is_recorded_won_parked_and_re_grants_nothing()
    {
        var order = await CompletedOrderAsync("dp5", "sku-dp5", "adyen");

        // Adyen: NOTIFICATION_OF_CHARGEBACK, CHARGEBACK (debited: the order is reversed), CHARGEBACK_REVERSED (defended).
        var dispute = Pipeline.Gateway.Dispute(order.PaymentId, "won");

        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(60));
        await WaitForDisputeAsync(order.OrderId, dispute.DisputeId, DisputeState.Won);
        var parked = await WaitForParkedAsync(ParkedKinds.DisputeWonAfterReversal, $"adyen:{dispute.DisputeId}");
        Assert.Equal(order.OrderId, parked.OrderId);
        var after = (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!;
        Assert.Equal((OrderStatus.Refunded, DisputeFollowUp.ChargebackReason), (after.Status, after.Reason));
        Assert.Equal(0, await Pipeline.Service<PointsLedger>().GetBalanceAsync(order.CustomerId));
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    private async Task<OrderRequest> CompletedOrderAsync(string orderId, string sku, string provider)
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync(sku, Stocked[sku]);
        var order = await Pipeline.RegisterOrderAsync(orderId, sku: sku, provider: provider);
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        // The capture is in the ledger: a Stripe dispute names no order, intake finds it by the capture.
        await WaitForAsync(async () => (await Money.ListAsync(order.OrderId)).Any(m => m.Kind == MoneyKinds.Capture));
        return order;
    }

    private async Task<List<InboxEntry>> DisputeInboxRowsAsync(string orderId) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(e => e.Event is { IsDisputeNotice: true } d && d.OrderId == orderId).ToList();

    private async Task<MoneyMovement> WaitForDisputeAsync(string orderId, string disputeId, DisputeState state)
    {
        MoneyMovement? found = null;
        await WaitForAsync(async () =>
        {
            found = (await Money.ListAsync(orderId)).FirstOrDefault(m => m.Kind == MoneyKinds.Dispute && m.Key == disputeId && m.DisputeState == state);
            return found is not null;
        });
        return found!;
    }

    private async Task<OrderRecord> WaitForOrderAsync(string orderId, OrderStatus status)
    {
        OrderRecord? found = null;
        await WaitForAsync(async () => (found = await Pipeline.Service<OrderBook>().GetAsync(orderId)) is { } order && order.Status == status);
        return found!;
    }

    private async Task<ParkedItem> WaitForParkedAsync(string kind, string key)
    {
        ParkedItem? found = null;
        await WaitForAsync(async () => (found = await Pipeline.Service<ParkedItems>().GetAsync(kind, key)) is not null);
        return found!;
    }

    /// <summary>Generously bounded; never a timing assertion.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> done)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (!await done())
        {
            await Task.Delay(200, cts.Token);
        }
    }
}
