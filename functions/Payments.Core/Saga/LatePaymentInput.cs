using Payments.Contracts;

namespace Payments.Saga;

/// <summary>The late-payment refund orchestration's input: the refund and the saga settings frozen at its start.</summary>
/// <param name="ReleaseStock">Settling a crashed saga: its stock reservation to release first (idempotent; what the saga committed, all of it or part, is un-committed: stock returns to available).</param>
/// <param name="RecordOrder">Settling a crashed saga: record the order's terminal state in the read model, since its own saga never will.</param>
public sealed record LatePaymentInput(RefundRequest Refund, SagaSettings Settings, StockRequest? ReleaseStock = null, bool RecordOrder = false);
