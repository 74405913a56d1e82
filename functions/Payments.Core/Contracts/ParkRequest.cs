namespace Payments.Contracts;

/// <summary>Something the saga could not finish on its own and hands to an operator.</summary>
public sealed record ParkRequest(string OrderId, string Kind, string Reason, string Detail, RefundRequest? Refund = null);
