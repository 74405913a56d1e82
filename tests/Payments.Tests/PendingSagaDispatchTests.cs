using Payments.Contracts;
using Payments.Intake;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A callback for an order whose saga the engine still reports Pending (scheduled, its start not
/// processed) is not raised to it: the Azure Storage provider can discard an event it dequeues before
/// the start ("No such instance"), and a success stored as raised is not raised again for minutes.
/// Dispatch waits briefly for the start, then leaves the callback to the retry lane.
/// </summary>
public sealed class PendingSagaDispatchTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_success_for_a_saga_that_has_not_started_is_left_to_the_retry_lane_not_raised_into_the_void()
    {
        // The order's row exists (its saga not recorded on it yet), and the engine holds its saga Pending and drops what is raised to it meanwhile.
        var order = new OrderRequest("pending1", "cust-pending1", [new OrderLine("sku-pending", 1)], 2500, "EUR", "standard", "pay-pending1");
        Assert.True(await Pipeline.Service<OrderBook>().TryRegisterAsync(order, Guid.NewGuid()));
        await using var engine = new DropsEventsBeforeStart(Pipeline.Durable, stuckPending: OrderSaga.InstanceId(order.OrderId));

        var result = await Pipeline.AcceptStandardAsync("msg_pending1_paid", TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor), engine);

        // Stored and queued for the lane, whose next attempt applies it once the saga runs; nothing raised into the void.
        Assert.IsType<IntakeResult.Acknowledged>(result);
        Assert.Equal(0, engine.Discarded);
        Assert.Equal(InboxState.Queued, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_pending1_paid"))!.State);
    }

    [Fact]
    public async Task A_second_capture_for_an_order_whose_saga_has_not_started_is_refunded_at_once()
    {
        var order = new OrderRequest("pending2", "cust-pending2", [new OrderLine("sku-pending", 1)], 2500, "EUR", "standard", "pay-pending2");
        Assert.True(await Pipeline.Service<OrderBook>().TryRegisterAsync(order, Guid.NewGuid()));
        var settings = Pipeline.Service<Microsoft.Extensions.Options.IOptions<SagaOptions>>().Value.ToSettings();
        await using var engine = new DropsEventsBeforeStart(Pipeline.Durable, OrderSaga.InstanceId(order.OrderId), new OrderSagaInput(order, settings));

        // The customer paid twice: a success for another payment id than the one the order settles by.
        var result = await Pipeline.AcceptStandardAsync("msg_pending2_second", TestWebhooks.StandardPayment("payment.succeeded", "pay-pending2-b", order.OrderId, order.AmountMinor), engine);

        Assert.IsType<IntakeResult.Acknowledged>(result);
        Assert.Equal(0, engine.Discarded);
        Assert.NotNull(await Pipeline.Durable.GetInstanceAsync(LatePaymentRefund.InstanceId("pay-pending2-b")));
        Assert.Equal(InboxState.Dispatched, (await Pipeline.Service<InboxStore>().GetAsync("standard", "msg_pending2_second"))!.State);
    }
}
