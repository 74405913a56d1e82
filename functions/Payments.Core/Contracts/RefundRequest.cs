namespace Payments.Contracts;

/// <summary>A refund to ask of the gateway, with why; refunded once per payment whichever path asks.</summary>
public sealed record RefundRequest(string OrderId, string Provider, string PaymentId, long AmountMinor, string Currency, string Reason);
