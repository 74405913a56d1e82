using System.Net.Http.Json;
using GatewaySimulator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Simulator;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Participants;

/// <summary>
/// The gateway as a remote saga participant, through the saga's own activities and the HTTP
/// connector against the gateway simulator. A refund is idempotent by its key
/// (<c>refund-{paymentId}</c>), so any number of copies pays out once; closing a payment is the
/// compensation of "the customer may still pay", and the gateway's closed state is its marker.
/// </summary>
public sealed class RefundParticipantTests : IAsyncLifetime
{
    private SimulatorServer gateway = null!;
    private HttpClient gatewayHttp = null!;
    private SagaActivities activities = null!;

    public async Task InitializeAsync()
    {
        gateway = await SimulatorServer.StartAsync(new SimulatorOptions { CallbackBaseUrl = "http://127.0.0.1:9", LossRate = 1.0 });
        gatewayHttp = new HttpClient { BaseAddress = gateway.BaseAddress };
        var storage = await LedgerStorage.CreateAsync("refund");
        var options = Options.Create(new GatewayOptions { BaseUrl = gateway.BaseAddress.ToString() });
        var orders = new OrderBook(storage, TimeProvider.System);
        var money = new MoneyLedger(storage, TimeProvider.System);
        var parked = new ParkedItems(storage, TimeProvider.System);
        activities = new SagaActivities(
            new StockLedger(storage), new PointsLedger(storage), orders, money,
            new RefundFollowUp(money, orders, new OrderReversal(money, orders, new PointsLedger(storage), new StockLedger(storage), Options.Create(new Payments.Saga.SagaOptions()), NullLogger<OrderReversal>.Instance), parked, NullLogger<RefundFollowUp>.Instance), parked,
            new HttpPaymentGateway(gatewayHttp, options), NullLogger<SagaActivities>.Instance);
    }

    public async Task DisposeAsync()
    {
        gatewayHttp.Dispose();
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Duplicate_and_concurrent_refunds_of_one_payment_pay_out_once()
    {
        var refund = await CapturedAsync("rf-dup", 4200);

        var first = await activities.RefundAsync(refund);
        var copies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => activities.RefundAsync(refund with { Reason = "late_payment" }))));

        Assert.All(copies, c => Assert.Equal(first.RefundId, c.RefundId));
        Assert.Equal(4200, Payment(refund.PaymentId).RefundedMinor);
        Assert.Single(gateway.Payments, p => p.PaymentId == refund.PaymentId && p.RefundedMinor > 0);
    }

    [Fact]
    public async Task A_refund_before_the_capture_is_refused_and_pays_nothing()
    {
        var refund = await CreatedAsync("rf-early", 1500);

        await Assert.ThrowsAsync<HttpRequestException>(() => activities.RefundAsync(refund));

        Assert.Equal(0, Payment(refund.PaymentId).RefundedMinor);
    }

    [Fact]
    public async Task A_capture_after_the_payment_was_closed_is_refused_by_the_gateway()
    {
        var refund = await CreatedAsync("rf-closed", 900);
        var payment = new PaymentRef(refund.OrderId, refund.Provider, refund.PaymentId);

        Assert.True((await activities.ClosePaymentAsync(payment)).Closed);
        Assert.True((await activities.ClosePaymentAsync(payment)).Closed);
        await Assert.ThrowsAnyAsync<Exception>(() => gateway.PayAsync(refund.PaymentId));

        Assert.Equal(PaymentStatus.Closed, Payment(refund.PaymentId).Status);
    }

    [Fact]
    public async Task A_capture_racing_the_close_either_wins_and_is_refunded_once_or_loses_and_pays_nothing()
    {
        for (var i = 0; i < 20; i++)
        {
            var refund = await CreatedAsync($"rf-race{i}", 700);
            var payment = new PaymentRef(refund.OrderId, refund.Provider, refund.PaymentId);
            var pay = Task.Run(async () =>
            {
                try
                {
                    await gateway.PayAsync(refund.PaymentId);
                }
                catch (Exception)
                {
                    // Refused: the close won.
                }
            });
            var close = Task.Run(() => activities.ClosePaymentAsync(payment));
            await pay;
            var closed = await close;

            if (closed.AlreadyPaid)
            {
                // The saga's answer to "already paid" after its decision to cancel: refund, here twice.
                await Task.WhenAll(activities.RefundAsync(refund), activities.RefundAsync(refund));
                Assert.Equal((PaymentStatus.Paid, 700L), (Payment(refund.PaymentId).Status, Payment(refund.PaymentId).RefundedMinor));
            }
            else
            {
                Assert.Equal((PaymentStatus.Closed, 0L), (Payment(refund.PaymentId).Status, Payment(refund.PaymentId).PaidAmountMinor));
            }
        }
    }

    private async Task<RefundRequest> CreatedAsync(string orderId, long amount)
    {
        var paymentId = "pay-" + orderId;
        using var created = await gatewayHttp.PostAsJsonAsync("v1/payments", new { paymentId, orderId, amountMinor = amount, currency = "EUR", provider = "standard" });
        created.EnsureSuccessStatusCode();
        return new RefundRequest(orderId, "standard", paymentId, amount, "EUR", "stock_failed");
    }

    private async Task<RefundRequest> CapturedAsync(string orderId, long amount)
    {
        var refund = await CreatedAsync(orderId, amount);
        await gateway.PayAsync(refund.PaymentId);
        return refund;
    }

    private PaymentSnapshot Payment(string paymentId) => gateway.Payments.Single(p => p.PaymentId == paymentId);
}
