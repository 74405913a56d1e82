namespace Payments.Ledger;

/// <summary>
/// Where one order's reservation of one sku stands. <see cref="Released"/> is final: it is also the
/// marker a release leaves when nothing was reserved, which refuses any reserve or commit after it.
/// <see cref="Returned"/> is final too: a completed order's committed stock put back on the shelf after
/// the order was refunded in full (<c>Saga:RestockOnFullRefund</c>).
/// </summary>
public enum ReservationState { Reserved, Committed, Released, Returned }
