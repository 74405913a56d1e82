namespace Payments.Contracts;

/// <summary>
/// Where a refund stands: asked for, accepted by the gateway but not paid out yet, or final. A refund
/// accepted is not a refund paid: only <see cref="Succeeded"/> means the customer has the money back.
/// </summary>
public enum RefundState
{
    Requested,
    /// <summary>Accepted by the gateway; the money moves later (WeChat Pay's PROCESSING, Stripe's pending).</summary>
    Pending,
    Succeeded,
    /// <summary>Refused, or failed after acceptance (Stripe's failed, WeChat Pay's ABNORMAL): the money did not go back.</summary>
    Failed,
    /// <summary>Closed or canceled without paying out (WeChat Pay's CLOSED, Stripe's canceled).</summary>
    Closed,
}

public static class RefundStates
{
    public static bool IsFinal(this RefundState state) => state is RefundState.Succeeded or RefundState.Failed or RefundState.Closed;

    /// <summary>Whether a refund in <paramref name="from"/> may move to <paramref name="to"/>: forward only, and a final state is final.</summary>
    public static bool CanMove(this RefundState from, RefundState to) => !from.IsFinal() && to > from;
}
