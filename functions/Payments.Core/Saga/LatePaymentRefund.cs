using Microsoft.DurableTask;
using Payments.Contracts;

namespace Payments.Saga;

/// <summary>
/// Refunds a payment outside its order's saga: a payment that succeeded after its order was
/// cancelled (one instance per payment, <c>refund-{paymentId}</c>, so however often the late
/// callback arrives, one refund), or an operator's retry of a refund the gateway kept rejecting.
/// </summary>
public static class LatePaymentRefund
{
    public const string Name = nameof(LatePaymentRefund);

    public static string InstanceId(string paymentId) => $"refund-{paymentId}";

    public static async Task<SagaOutcome> RunAsync(TaskOrchestrationContext context, LatePaymentInput input)
    {
        var refund = input.Refund;
        var retry = input.Settings.StepRetry();
        context.SetCustomStatus("Refunding");
        try
        {
            await context.CallActivityAsync<RefundResult>(SagaActivityNames.Refund, refund, retry);
        }
        catch (TaskFailedException ex)
        {
            await context.CallActivityAsync(
                SagaActivityNames.Park,
                new ParkRequest(refund.OrderId, ParkedKinds.RefundFailed, $"Refund of {refund.AmountMinor} {refund.Currency} ({refund.Reason}) failed.", ex.Message, refund),
                retry);
            context.SetCustomStatus(nameof(OrderStatus.RefundPending));
            return new SagaOutcome(OrderStatus.RefundPending, refund.Reason);
        }
        context.SetCustomStatus(nameof(OrderStatus.Refunded));
        return new SagaOutcome(OrderStatus.Refunded, refund.Reason);
    }
}
