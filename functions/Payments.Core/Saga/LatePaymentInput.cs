using Payments.Contracts;

namespace Payments.Saga;

/// <summary>The late-payment refund orchestration's input: the refund and the saga settings frozen at its start.</summary>
public sealed record LatePaymentInput(RefundRequest Refund, SagaSettings Settings);
