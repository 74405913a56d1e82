using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// An operator's answer to a refund the gateway kept rejecting: retry it, with the parked context.
/// The parked refund carries its attempt: the same idempotency key as the failed try unless the gateway
/// finally refused it (<see cref="LatePaymentRefund.RetryAfter"/>), and the connector checks the
/// payment's refunds before creating one, so no number of retries can refund twice.
/// </summary>
public sealed class RefundDesk(ParkedItems parked, IOptions<SagaOptions> sagaOptions)
{
    /// <param name="key">The parked refund's key: its order id, or (a refund orchestration the reconciler gave up on) that instance's id.</param>
    public async Task<RefundRetryResult> RetryAsync(string key, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (!IsKey(key) || await parked.GetAsync(ParkedKinds.RefundFailed, key, ct) is not { Refund: { } refund })
        {
            return RefundRetryResult.NotParked;
        }
        var retry = await parked.CountOperatorRetryAsync(ParkedKinds.RefundFailed, key, ct);
        var input = new LatePaymentInput(refund with { Reason = refund.Reason + "_operator_retry" }, sagaOptions.Value.ToSettings());
        await durable.ScheduleNewOrchestrationInstanceAsync(LatePaymentRefund.Name, input,
            new Microsoft.DurableTask.StartOrchestrationOptions($"refund-op-{refund.PaymentId}-{retry}"), ct);
        return RefundRetryResult.Started;
    }

    // An order id, or a refund instance id (refund-{paymentId}, refund-op-{paymentId}-{n}): longer than an id, same characters.
    private static bool IsKey(string key) => key.Length <= 128 && key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).All(char.IsAsciiLetterOrDigit) && key.Length > 0;
}
