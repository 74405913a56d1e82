using Payments.Ledger;

namespace Payments.Demo.Invariants;

/// <summary>One reservation row of the stock ledger: what one order holds of one sku.</summary>
public sealed record StockReservation(string Sku, string OrderId, ReservationState State, long Quantity);
