using Payments.Contracts;

namespace Payments.Saga;

public sealed record OrderSagaInput(OrderRequest Order, SagaSettings Settings);
