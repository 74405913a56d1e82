namespace Payments.Contracts;

/// <summary>
/// Where a dispute stands in the money ledger: opened, then won (the merchant keeps the money) or lost
/// (the money went back to the customer). Funds withdrawn or reinstated while it runs are observations,
/// not states: only the outcome moves the order.
/// </summary>
public enum DisputeState
{
    Opened,
    Won,
    Lost,
}

public static class DisputeStates
{
    public static bool IsFinal(this DisputeState state) => state is DisputeState.Won or DisputeState.Lost;

    /// <summary>
    /// Whether a dispute in <paramref name="from"/> may move to <paramref name="to"/>: an open one to either
    /// outcome, and an outcome to the other one (Adyen reverses a chargeback with CHARGEBACK_REVERSED and may
    /// charge back again with SECOND_CHARGEBACK); never back to opened.
    /// </summary>
    public static bool CanMove(this DisputeState from, DisputeState to) => to != from && to.IsFinal();
}
