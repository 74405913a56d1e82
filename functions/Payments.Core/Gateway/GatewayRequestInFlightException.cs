namespace Payments.Gateway;

/// <summary>
/// The gateway is still executing an earlier request under the same idempotency key (Stripe's 409
/// <c>idempotency_key_in_use</c>): no answer yet, and no refusal. It is transient: the saga's retry
/// policy asks again, and a refund parked after its last try keeps the key (the next attempt's key
/// follows a <see cref="GatewayRefusedException"/> only), so the request in flight is answered rather
/// than a second one created under the next key.
/// </summary>
public sealed class GatewayRequestInFlightException(string provider, string operation, string paymentId, string idempotencyKey)
    : Exception($"{provider} is still executing an earlier {operation} for payment {paymentId} under idempotency key {idempotencyKey}; retry later with the same key.")
{
    public string Provider { get; } = provider;

    public string IdempotencyKey { get; } = idempotencyKey;
}
