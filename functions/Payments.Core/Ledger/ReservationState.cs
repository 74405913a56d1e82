namespace Payments.Ledger;

/// <summary>
/// Where one order's reservation of one sku stands. <see cref="Released"/> is final: it is also the
/// marker a release leaves when nothing was reserved, which refuses any reserve or commit after it.
/// </summary>
public enum ReservationState { Reserved, Committed, Released }
