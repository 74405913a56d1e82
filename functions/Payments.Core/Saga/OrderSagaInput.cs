using Payments.Contracts;

namespace Payments.Saga;

/// <summary>
/// The order saga's input: the order and the settings frozen at its start, so a config change never
/// alters a running saga; and the ETag of the read-model row its registration wrote (null for a saga
/// started before it was passed, or by healing), so the first record writes without reading the row.
/// </summary>
public sealed record OrderSagaInput(OrderRequest Order, SagaSettings Settings, string? RegisteredRowETag = null);
