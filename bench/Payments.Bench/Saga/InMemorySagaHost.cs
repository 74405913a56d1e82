using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask;
using Payments.Contracts;
using Payments.Functions;
using Payments.Hosting;
using Payments.Saga;

namespace Payments.Benchmarks.Saga;

/// <summary>
/// The same saga on Durable Task's in-memory backend: the engine without storage. Registers the
/// Functions app's own orchestrator and activity methods (<see cref="SagaFunctions"/>, which call
/// <see cref="OrderSaga.RunAsync"/> and <see cref="SagaActivities"/>), composed by the same
/// <see cref="PaymentsServices.AddPaymentsCore"/>, so the activities write the real ledgers on Azurite.
/// </summary>
public static class InMemorySagaHost
{
    /// <summary><see cref="DurableTaskTestHost"/> exactly as shipped (its in-memory service admits as many work items as there are cores).</summary>
    public static async Task<SagaBackend> StartTestHostAsync(IConfiguration configuration, string name)
    {
        // The test host's sidecar is built with the default host builder, whose console logger shows
        // every gRPC call at Information; it reads its levels from the environment at build time.
        const string level = "Logging__LogLevel__Default";
        var before = Environment.GetEnvironmentVariable(level);
        Environment.SetEnvironmentVariable(level, "Warning");
        try
        {
            var host = await DurableTaskTestHost.StartAsync(Register, new DurableTaskTestHostOptions
            {
                Port = FreePort.Next(),
                LoggerFactory = Quiet(configuration),
                ConfigureServices = services => AddCore(services, configuration),
            });
            return new SagaBackend(name, host.Services, host.Client, callbackUrl: null, host);
        }
        finally
        {
            Environment.SetEnvironmentVariable(level, before);
        }
    }

    /// <summary>
    /// The in-memory service behind the same gRPC sidecar and worker wiring the local host uses for
    /// Azure Storage, with the same work-item concurrency: only the storage differs.
    /// </summary>
    public static async Task<SagaBackend> StartSidecarAsync(IConfiguration configuration, string name, int concurrency)
    {
        var engine = await InMemoryDurable.StartAsync(Register, concurrency, services => AddCore(services, configuration), Quiet(configuration));
        return new SagaBackend(name, engine.Services, engine.Client, callbackUrl: null, engine);
    }

    private static ILoggerFactory Quiet(IConfiguration configuration) =>
        LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole());

    private static void AddCore(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration);
        services.AddPaymentsCore(configuration);
        // As on the local host: warnings only, so console output does not become the bottleneck.
        services.AddLogging(logging => logging.ClearProviders().AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole());
    }

    private static void Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestrator(OrderSaga.Name, () => new SagaOrchestrator());
        Activity<OrderStateChange>(registry, SagaActivityNames.RecordOrderState, (f, x) => f.RecordOrderState(x));
        Activity<StockRequest, ReserveResult>(registry, SagaActivityNames.ReserveStock, (f, x) => f.ReserveStock(x));
        Activity<StockRequest, ReserveResult>(registry, SagaActivityNames.HoldStock, (f, x) => f.HoldStock(x));
        Activity<PaidOrder, CommitResult>(registry, SagaActivityNames.SettlePaidOrder, (f, x) => f.SettlePaidOrder(x));
        Activity<StockRequest, CommitResult>(registry, SagaActivityNames.CommitStock, (f, x) => f.CommitStock(x));
        Activity<StockRequest>(registry, SagaActivityNames.ReleaseStock, (f, x) => f.ReleaseStock(x));
        Activity<PointsRequest>(registry, SagaActivityNames.GrantPoints, (f, x) => f.GrantPoints(x));
        Activity<PaymentRef, Gateway.GatewayPayment>(registry, SagaActivityNames.QueryPayment, (f, x) => f.QueryPayment(x));
        Activity<PaymentRef, Gateway.CloseResult>(registry, SagaActivityNames.ClosePayment, (f, x) => f.ClosePayment(x));
        Activity<RefundRequest, RefundResult>(registry, SagaActivityNames.Refund, (f, x) => f.Refund(x));
        Activity<ParkRequest>(registry, SagaActivityNames.Park, (f, x) => f.Park(x));
    }

    private static void Activity<TIn, TOut>(DurableTaskRegistry registry, string name, Func<SagaFunctions, TIn, Task<TOut>> call) =>
        registry.AddActivity(name, services => new FunctionActivity<TIn, TOut>(services, call));

    private static void Activity<TIn>(DurableTaskRegistry registry, string name, Func<SagaFunctions, TIn, Task> call) =>
        Activity<TIn, object?>(registry, name, async (f, x) =>
        {
            await call(f, x);
            return null;
        });

    /// <summary>The Functions app's orchestrator method, as the local host's adapter invokes it.</summary>
    private sealed class SagaOrchestrator : TaskOrchestrator<OrderSagaInput, SagaOutcome>
    {
        public override Task<SagaOutcome> RunAsync(TaskOrchestrationContext context, OrderSagaInput input) => SagaFunctions.RunOrderSaga(context);
    }

    /// <summary>A fresh function-class instance per call, as the Functions host and the local host create them.</summary>
    private sealed class FunctionActivity<TIn, TOut>(IServiceProvider services, Func<SagaFunctions, TIn, Task<TOut>> call) : Microsoft.DurableTask.TaskActivity<TIn, TOut>
    {
        public override Task<TOut> RunAsync(TaskActivityContext context, TIn input) =>
            call(new SagaFunctions(services.GetRequiredService<SagaActivities>()), input);
    }
}
