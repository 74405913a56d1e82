using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// An operator's answer to a refund the gateway kept rejecting: retry it, with the parked context.
/// The parked refund carries its attempt: the same idempotency key as the failed try unless the gateway
/// finally refused it (<see cref="LatePaymentRefund.RetryAfter"/>), and the connector checks the
/// payment's refunds before creating one, so no number of retries can refund twice.
/// One operation for every caller (<c>POST /api/ops/refunds/{key}/retry</c>, the console's bulk
/// <c>retry_refund</c>): claim the open item, start the retry, resolve the item naming the retry, and
/// audit what happened — also a refusal — so a second retry of a resolved item is refused, not run.
/// </summary>
public sealed class RefundDesk(ParkedItems parked, OrderBook orders, OperatorAudit audit, OpenOrchestrationIndex open, IOptions<SagaOptions> sagaOptions)
{
    /// <summary>A payment's retries are numbered 1, 2, …; far more than any operator would ask for.</summary>
    private const int MaxRetriesPerPayment = 100;

    /// <param name="key">
    /// The parked refund's key: its refund orchestration's instance id (<c>refund-{paymentId}</c>, or a
    /// retry's <c>refund-op-{paymentId}-{n}</c>), or, for items parked before refunds were keyed so, its order id.
    /// </param>
    public async Task<RefundRetry> RetryAsync(string key, DurableTaskClient durable, OperatorCaller caller, string? reason = null, CancellationToken ct = default)
    {
        var (retry, item) = await StartAsync(key, durable, ct);
        if (item is null)
        {
            return retry; // nothing parked under this key: nothing acted on, nothing to audit
        }
        if (retry.Result == RefundRetryResult.Started)
        {
            // The retry is running: the item is done for the operator. A retry that fails again parks under its own instance id.
            await parked.ResolveRetriedAsync(ParkedKinds.RefundFailed, key, retry.InstanceId!,
                $"refund retry started as {retry.InstanceId}" + (reason is null ? "" : $": {reason}"), caller.AuditName, ct);
        }
        await audit.RecordAsync(caller,
            retry.Result == RefundRetryResult.Started ? $"retries (as {retry.InstanceId}) the parked refund" : "is refused (already resolved) a retry of the parked refund",
            key, item.OrderId, reason, ct);
        return retry;
    }

    private async Task<(RefundRetry Retry, ParkedItem? Item)> StartAsync(string key, DurableTaskClient durable, CancellationToken ct)
    {
        if (!IsKey(key) || await parked.GetAsync(ParkedKinds.RefundFailed, key, ct) is not { Refund: { } refund } item)
        {
            return (new(RefundRetryResult.NotParked), null);
        }
        if (!item.Open
            || await parked.ClaimRetryAsync(ParkedKinds.RefundFailed, key, await NextFreeRetryAsync(refund.PaymentId, durable, ct), ct) is not { } claimed)
        {
            return (new(RefundRetryResult.AlreadyResolved), item);
        }
        // Every caller that claimed this item (two racing retries, or one after a crash between the claim and
        // the start) starts the same retry, once: the engine dedupes the instance id.
        // The order's own payment, refunded by the pipeline and left RefundPending: the retry records the order's end when it pays out.
        var recordOrder = refund.RequestKey is null && await orders.GetAsync(refund.OrderId, ct) is { Status: OrderStatus.RefundPending } order && order.PaymentId == refund.PaymentId;
        var input = new LatePaymentInput(refund with { Reason = refund.Reason + "_operator_retry" }, sagaOptions.Value.ToSettings(), RecordOrder: recordOrder);
        await DurableStart.StartOnceAsync(durable, open, LatePaymentRefund.Name, claimed, input, ct);
        return (new(RefundRetryResult.Started, claimed), item);
    }

    /// <summary>
    /// Numbered per payment, not per item: one payment can have several items (its refund, a retry of it
    /// that failed in turn, an item parked under the order id before refunds were keyed by instance), and
    /// each item counting from 1 named two retries alike. The first number not taken keeps the numbers
    /// contiguous for the timeline.
    /// </summary>
    private static async Task<string> NextFreeRetryAsync(string paymentId, DurableTaskClient durable, CancellationToken ct)
    {
        for (var n = 1; n <= MaxRetriesPerPayment; n++)
        {
            var instanceId = LatePaymentRefund.OperatorRetryInstanceId(paymentId, n);
            if (await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is null)
            {
                return instanceId;
            }
        }
        throw new InvalidOperationException($"Payment {paymentId} has {MaxRetriesPerPayment} refund retries already; look at them before starting another.");
    }

    // An order id, or a refund instance id (refund-{paymentId}, refund-op-{paymentId}-{n}): longer than an id, same characters.
    private static bool IsKey(string key) => key.Length <= 128 && key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).All(char.IsAsciiLetterOrDigit) && key.Length > 0;
}
