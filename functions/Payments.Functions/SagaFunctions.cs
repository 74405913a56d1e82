using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Saga;

namespace Payments.Functions;

/// <summary>The order saga and the late-payment refund as Durable orchestrator functions, and the saga's activities.</summary>
public sealed class SagaFunctions(SagaActivities activities)
{
    [Function(OrderSaga.Name)]
    [OrchestrationInput(typeof(OrderSagaInput))]
    public static Task<SagaOutcome> RunOrderSaga([OrchestrationTrigger] TaskOrchestrationContext context) =>
        OrderSaga.RunAsync(context, context.GetInput<OrderSagaInput>()!);

    [Function(LatePaymentRefund.Name)]
    [OrchestrationInput(typeof(LatePaymentInput))]
    public static Task<SagaOutcome> RunLatePaymentRefund([OrchestrationTrigger] TaskOrchestrationContext context) =>
        LatePaymentRefund.RunAsync(context, context.GetInput<LatePaymentInput>()!);

    [Function(SagaActivityNames.RecordOrderState)]
    public Task RecordOrderState([ActivityTrigger] OrderStateChange change) => activities.RecordOrderStateAsync(change);

    [Function(SagaActivityNames.ReserveStock)]
    public Task<ReserveResult> ReserveStock([ActivityTrigger] StockRequest request) => activities.ReserveStockAsync(request);

    [Function(SagaActivityNames.HoldStock)]
    public Task<ReserveResult> HoldStock([ActivityTrigger] StockRequest request) => activities.HoldStockAsync(request);

    [Function(SagaActivityNames.SettlePaidOrder)]
    public Task<CommitResult> SettlePaidOrder([ActivityTrigger] PaidOrder paid) => activities.SettlePaidOrderAsync(paid);

    [Function(SagaActivityNames.CommitStock)]
    public Task<CommitResult> CommitStock([ActivityTrigger] StockRequest request) => activities.CommitStockAsync(request);

    [Function(SagaActivityNames.ReleaseStock)]
    public Task ReleaseStock([ActivityTrigger] StockRequest request) => activities.ReleaseStockAsync(request);

    [Function(SagaActivityNames.GrantPoints)]
    public Task GrantPoints([ActivityTrigger] PointsRequest request) => activities.GrantPointsAsync(request);

    [Function(SagaActivityNames.QueryPayment)]
    public Task<GatewayPayment> QueryPayment([ActivityTrigger] PaymentRef payment) => activities.QueryPaymentAsync(payment);

    [Function(SagaActivityNames.ClosePayment)]
    public Task<CloseResult> ClosePayment([ActivityTrigger] PaymentRef payment) => activities.ClosePaymentAsync(payment);

    [Function(SagaActivityNames.Refund)]
    public Task<RefundResult> Refund([ActivityTrigger] RefundRequest request) => activities.RefundAsync(request);

    [Function(SagaActivityNames.Park)]
    public Task Park([ActivityTrigger] ParkRequest request) => activities.ParkAsync(request);
}
