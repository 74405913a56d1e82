namespace Payments.Contracts;

/// <summary>
/// The input of saga 3.0's one step after a matching payment: everything it records, commits and
/// grants for the order, so the whole happy path after the payment is one activity.
/// </summary>
public sealed record PaidOrder(StockRequest Stock, PointsRequest Points, long PaidAmountMinor, string PaidCurrency);
