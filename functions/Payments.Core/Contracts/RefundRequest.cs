namespace Payments.Contracts;

/// <summary>
/// A refund to ask of the gateway, with why; refunded once per payment whichever path asks.
/// <see cref="Attempt"/> counts the gateway's final refusals of this refund so far: each names a new
/// idempotency key, because a gateway that replays the first answer for a key (Stripe does, errors
/// included, for 24 h) would otherwise answer every later retry with the same refusal.
/// <para>A refund the pipeline decides by itself (a cancelled order's late payment, a second capture,
/// a crashed saga) has no <see cref="RequestKey"/>: there is one such refund per payment. An after-sales
/// refund (<c>POST /api/orders/{orderId}/refunds</c>) names the caller's key, so an order can have
/// several partial refunds, each paid out once. <see cref="Initiator"/> is who asked
/// (<see cref="MoneyInitiators"/>); null is the pipeline itself.</para>
/// </summary>
public sealed record RefundRequest(string OrderId, string Provider, string PaymentId, long AmountMinor, string Currency, string Reason, int Attempt = 0,
    string? RequestKey = null, string? Initiator = null)
{
    /// <summary>
    /// <c>refund-{paymentId}</c> until the gateway has refused it, then <c>refund{attempt}-{paymentId}</c>.
    /// Every path that refunds a payment uses the same first key, so two paths asking at once pay out once.
    /// The attempt goes before the payment id, which may itself end in <c>-1</c>: no payment's later key
    /// can be another payment's first. An after-sales refund: <c>as{attempt}-{paymentId}-{requestKey}</c>.
    /// </summary>
    public string IdempotencyKey() => RequestKey is { } key
        ? $"as{(Attempt == 0 ? "" : Attempt)}-{PaymentId}-{key}"
        : Attempt == 0 ? $"refund-{PaymentId}" : $"refund{Attempt}-{PaymentId}";

    /// <summary>Who the money ledger says started this refund.</summary>
    public string StartedBy => Initiator ?? MoneyInitiators.Pipeline;

    /// <summary>The same refund to try under a new key, after the gateway finally refused this one.</summary>
    public RefundRequest AfterRefusal() => this with { Attempt = Attempt + 1 };
}
