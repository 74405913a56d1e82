namespace Payments.Ledger;

/// <summary>Where one order's reservation of one sku stands.</summary>
public enum ReservationState { Reserved, Committed, Released }
