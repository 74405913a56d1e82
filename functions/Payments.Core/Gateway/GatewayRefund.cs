using Payments.Contracts;

namespace Payments.Gateway;

/// <summary>
/// A refund to ask the gateway about: the order and payment it refunds, the idempotency key it was
/// created under, and the gateway's own id for it once known.
/// </summary>
public sealed record RefundRef(string OrderId, string Provider, string PaymentId, string IdempotencyKey, string? GatewayRefundId);

/// <summary>
/// Where the gateway says a refund stands (its id when it names one). <see cref="RefundState.Requested"/>
/// means the gateway has no refund under that key: never created, or not yet.
/// </summary>
public sealed record GatewayRefund(RefundState State, string? RefundId = null);
