using Microsoft.DurableTask;

namespace Payments.Saga;

public sealed record LatePaymentInput(RefundRequest Refund, SagaSettings Settings);
