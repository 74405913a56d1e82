using Payments.Contracts;

namespace Payments.Saga;

/// <summary>The order saga's input: the order and the settings frozen at its start, so a config change never alters a running saga.</summary>
public sealed record OrderSagaInput(OrderRequest Order, SagaSettings Settings);
