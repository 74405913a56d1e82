using Payments.Contracts;

namespace Payments.Saga;

public sealed record LatePaymentInput(RefundRequest Refund, SagaSettings Settings);
