using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask;
using Payments.Contracts;
using Payments.DevKit;

namespace Payments.Saga.Tests.Infrastructure;

/// <summary>
/// The real saga orchestrators (<see cref="OrderSaga.AddOrchestrators"/>) on Durable Task's in-memory
/// engine, with every activity name served by the script of the order it is called for. One engine
/// for the test run: scripts are keyed by order, so test classes share it and run in parallel.
/// </summary>
public sealed class SagaEngine
{
    // In memory, so the engine goes with the test process: nothing outside it to clean up.
    private static readonly Lazy<Task<SagaEngine>> Shared = new(StartAsync);

    // Room for every test class's saga at once: the engine looks for work again only every 500 ms once full.
    private const int Concurrency = 32;

    private readonly ConcurrentDictionary<string, SagaScript> scripts = new();
    private DurableTaskClient? client;

    private SagaEngine()
    {
    }

    public DurableTaskClient Client => client ?? throw new InvalidOperationException("The engine has not started.");

    public static Task<SagaEngine> SharedAsync() => Shared.Value;

    /// <param name="version">The saga version the instance is stamped with, as registration does; this build's current one unless a test says otherwise.</param>
    public async Task<SagaRun> StartOrderSagaAsync(SagaScript script, SagaSettings settings, string? version = SagaVersions.Current)
    {
        Own(script);
        var instanceId = await Client.ScheduleNewOrchestrationInstanceAsync(
            OrderSaga.Name, new OrderSagaInput(script.Order, settings), new StartOrchestrationOptions(OrderSaga.InstanceId(script.Order.OrderId)) { Version = version });
        return new SagaRun(Client, instanceId, script);
    }

    public async Task<SagaRun> StartLatePaymentRefundAsync(SagaScript script, RefundRequest refund, SagaSettings settings, bool settleCrashedSaga = false)
    {
        Own(script);
        var input = settleCrashedSaga
            ? new LatePaymentInput(refund, settings, new StockRequest(script.Order.OrderId, script.Order.Lines), RecordOrder: true)
            : new LatePaymentInput(refund, settings);
        var instanceId = await Client.ScheduleNewOrchestrationInstanceAsync(
            LatePaymentRefund.Name, input, new StartOrchestrationOptions(LatePaymentRefund.InstanceId(refund.PaymentId)));
        return new SagaRun(Client, instanceId, script);
    }

    private static async Task<SagaEngine> StartAsync()
    {
        var engine = new SagaEngine();
        var host = await InMemoryDurable.StartAsync(engine.Register, Concurrency);
        engine.client = host.Client;
        return engine;
    }

    private void Own(SagaScript script)
    {
        if (!scripts.TryAdd(script.Order.OrderId, script))
        {
            throw new InvalidOperationException($"Order {script.Order.OrderId} already has a script; each test needs its own order.");
        }
    }

    private void Register(DurableTaskRegistry registry)
    {
        OrderSaga.AddOrchestrators(registry);
        Scripted<OrderStateChange>(registry, SagaActivityNames.RecordOrderState, x => x.OrderId);
        Scripted<StockRequest>(registry, SagaActivityNames.ReserveStock, x => x.OrderId);
        Scripted<StockRequest>(registry, SagaActivityNames.CommitStock, x => x.OrderId);
        Scripted<StockRequest>(registry, SagaActivityNames.ReleaseStock, x => x.OrderId);
        Scripted<PointsRequest>(registry, SagaActivityNames.GrantPoints, x => x.OrderId);
        Scripted<PaymentRef>(registry, SagaActivityNames.QueryPayment, x => x.OrderId);
        Scripted<PaymentRef>(registry, SagaActivityNames.ClosePayment, x => x.OrderId);
        Scripted<RefundRequest>(registry, SagaActivityNames.Refund, x => x.OrderId);
        Scripted<ParkRequest>(registry, SagaActivityNames.Park, x => x.OrderId);
        AddFoldedSteps(registry);
    }

    /// <summary>
    /// Saga 3.0's folded activities, served as the same sequence of scripted steps that
    /// <see cref="SagaActivities.HoldStockAsync"/> and <see cref="SagaActivities.SettlePaidOrderAsync"/>
    /// run, all at the step the saga showed when it called the folded activity: a step scripted to
    /// fail fails the folded activity there, as a ledger outage would.
    /// </summary>
    private void AddFoldedSteps(DurableTaskRegistry registry)
    {
        registry.AddActivityFunc<StockRequest, ReserveResult>(SagaActivityNames.HoldStock, async (context, input) =>
        {
            var (script, step) = await ScriptAndStepAsync(context, input.OrderId);
            var reserved = (ReserveResult)script.Run(SagaActivityNames.ReserveStock, input, step)!;
            if (reserved == ReserveResult.Reserved)
            {
                script.Run(SagaActivityNames.RecordOrderState, new OrderStateChange(input.OrderId, OrderStatus.AwaitingPayment, null, "StockReserved"), step);
            }
            return reserved;
        });
        registry.AddActivityFunc<PaidOrder, CommitResult>(SagaActivityNames.SettlePaidOrder, async (context, paid) =>
        {
            var orderId = paid.Stock.OrderId;
            var (script, step) = await ScriptAndStepAsync(context, orderId);
            script.Run(SagaActivityNames.RecordOrderState, new OrderStateChange(orderId, OrderStatus.Paid, null, "Paid", paid.PaidAmountMinor, paid.PaidCurrency), step);
            var committed = (CommitResult)script.Run(SagaActivityNames.CommitStock, paid.Stock, step)!;
            if (committed == CommitResult.Failed)
            {
                return committed;
            }
            script.Run(SagaActivityNames.RecordOrderState, new OrderStateChange(orderId, OrderStatus.Paid, null, "StockCommitted"), step);
            script.Run(SagaActivityNames.GrantPoints, paid.Points, step);
            script.Run(SagaActivityNames.RecordOrderState, new OrderStateChange(orderId, OrderStatus.Completed, null, "Completed"), step);
            return committed;
        });
    }

    private async Task<(SagaScript Script, string? Step)> ScriptAndStepAsync(TaskActivityContext context, string orderId)
    {
        var script = scripts[orderId];
        script.NoteScheduled(context.Name);
        var instance = await Client.GetInstanceAsync(context.InstanceId, getInputsAndOutputs: true);
        return (script, instance?.ReadCustomStatusAs<string>());
    }

    /// <summary>
    /// An activity under its real name and input type. It reads the calling instance's custom status
    /// first: the engine stores it with the episode that scheduled the activity, so it is the step
    /// the saga showed when it made this call.
    /// </summary>
    private void Scripted<TInput>(DurableTaskRegistry registry, string name, Func<TInput, string> orderOf) where TInput : notnull =>
        registry.AddActivityFunc<TInput, object?>(name, async (context, input) =>
        {
            var script = scripts[orderOf(input)];
            script.NoteScheduled(name);
            var instance = await Client.GetInstanceAsync(context.InstanceId, getInputsAndOutputs: true);
            return script.Run(name, input, instance?.ReadCustomStatusAs<string>());
        });
}
