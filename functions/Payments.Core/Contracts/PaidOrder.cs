namespace Payments.Contracts;

/// <summary>
/// The input of saga 3.0's one step after a matching payment: everything it records, commits and
/// grants for the order, so the whole happy path after the payment is one activity. The provider and
/// payment id name the capture for the money ledger (null in inputs scheduled before they were added).
/// </summary>
public sealed record PaidOrder(StockRequest Stock, PointsRequest Points, long PaidAmountMinor, string PaidCurrency, string? Provider = null, string? PaymentId = null);
