using Microsoft.DurableTask;
using Payments.Contracts;

namespace Payments.Saga;

/// <summary>
/// Refunds a payment outside its order's saga, one instance per payment (<c>refund-{paymentId}</c>),
/// so however often and by whichever path it is asked for, one refund: a payment that succeeded
/// after its order was cancelled, a second capture for an order settled by another payment, the
/// payment of a saga that crashed after it was paid (then it also releases the order's stock and
/// records the order's end), or an operator's retry of a refund the gateway kept rejecting.
/// </summary>
public static class LatePaymentRefund
{
    public const string Name = nameof(LatePaymentRefund);

    public static string InstanceId(string paymentId) => $"refund-{paymentId}";

    /// <summary>The <paramref name="n"/>th operator retry of a payment's refund (numbered per payment, from 1).</summary>
    public static string OperatorRetryInstanceId(string paymentId, int n) => $"refund-op-{paymentId}-{n}";

    /// <summary>
    /// The refund an operator's retry will ask for. After a final refusal (the last attempt's answer
    /// was the gateway's refusal) under a new idempotency key, since a gateway that replays answers per
    /// key would refuse the old one again; after anything else (timeouts, lost answers) under the same
    /// key, so a refund the gateway did create is answered, not created again.
    /// </summary>
    public static RefundRequest RetryAfter(RefundRequest refund, TaskFailedException failure) =>
        // By name: TaskFailureDetails.IsCausedBy scans every loaded assembly and throws when a type name
        // is found twice (HttpRequestException is), which would fail the orchestration it should protect.
        failure.FailureDetails.ErrorType == typeof(Gateway.GatewayRefusedException).FullName ? refund.AfterRefusal() : refund;

    public static async Task<SagaOutcome> RunAsync(TaskOrchestrationContext context, LatePaymentInput input)
    {
        var refund = input.Refund;
        var retry = input.Settings.StepRetry();
        context.SetCustomStatus("Refunding");
        if (input.ReleaseStock is { } stock)
        {
            try
            {
                await context.CallActivityAsync(SagaActivityNames.ReleaseStock, stock, retry);
            }
            catch (TaskFailedException ex)
            {
                await context.CallActivityAsync(SagaActivityNames.Park,
                    new ParkRequest(refund.OrderId, ParkedKinds.ReleaseFailed, "Reserved stock could not be released.", ex.Message), retry);
            }
        }
        var outcome = new SagaOutcome(OrderStatus.Refunded, refund.Reason);
        try
        {
            await context.CallActivityAsync<RefundResult>(SagaActivityNames.Refund, refund, retry);
        }
        catch (TaskFailedException ex)
        {
            await context.CallActivityAsync(
                SagaActivityNames.Park,
                // Under this refund's own instance id, not the order: an order can have several refunds (its
                // payment, a second capture, an operator's retry), each failing with its own retry context.
                new ParkRequest(refund.OrderId, ParkedKinds.RefundFailed, $"Refund of {refund.AmountMinor} {refund.Currency} ({refund.Reason}) failed.", ex.Message, RetryAfter(refund, ex), context.InstanceId),
                retry);
            outcome = new SagaOutcome(OrderStatus.RefundPending, refund.Reason);
        }
        if (input.RecordOrder)
        {
            await context.CallActivityAsync(SagaActivityNames.RecordOrderState,
                new OrderStateChange(refund.OrderId, outcome.Status, refund.Reason, outcome.Status.ToString(), Cause: OrderChangeCause.Refund), retry);
        }
        context.SetCustomStatus(outcome.Status.ToString());
        return outcome;
    }
}
