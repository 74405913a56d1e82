using Microsoft.Azure.Functions.Worker;
using Payments.Contracts;
using Payments.Functions;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The first-writer gate of order registration, and the reconciler healing a registration that crashed half-way.</summary>
public sealed class RegistrationHealingTests(RecoveryFixture fixture) : IClassFixture<RecoveryFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static OrderRequest Order(string id) => new(id, "cust-" + id, [new OrderLine("sku-heal", 1)], 700, "EUR", "standard", "pay-" + id);

    [Fact]
    public async Task The_gate_lets_its_own_writer_through_again_and_nobody_else()
    {
        var book = Pipeline.Service<OrderBook>();
        var writer = Guid.NewGuid();

        Assert.True(await book.TryRegisterAsync(Order("gate1"), writer));
        Assert.True(await book.TryRegisterAsync(Order("gate1"), writer)); // the storage client's retry of its own insert
        Assert.False(await book.TryRegisterAsync(Order("gate1"), Guid.NewGuid()));
    }

    [Fact]
    public async Task An_order_whose_registration_crashed_before_starting_its_saga_gets_it_from_the_reconciler()
    {
        await Pipeline.Service<StockLedger>().SetLevelAsync("sku-heal", 1);
        var order = Order("heal1");
        // Registered five minutes ago by a writer that crashed before starting the saga.
        var fiveMinutesAgo = new FixedClock(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.True(await new OrderBook(Pipeline.Service<PaymentsStorage>(), fiveMinutesAgo).TryRegisterAsync(order, Guid.NewGuid()));
        Assert.Null(await Pipeline.Durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId)));

        var report = await Pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), Pipeline.Durable, CancellationToken.None);
        var again = await Pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), Pipeline.Durable, CancellationToken.None);

        Assert.Equal((1, 0), (report.SagasStarted, again.SagasStarted));
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        Assert.Equal(new StockLevel("sku-heal", 0, 1, 0), await Pipeline.Service<StockLedger>().GetLevelAsync("sku-heal"));
    }
}
