namespace Payments.Contracts;

/// <summary>One difference between the gateway's statement and the ledger, with what reconciliation did about it.</summary>
public sealed record Discrepancy(DateOnly Date, DiscrepancyClass Class, string PaymentId, string OrderId, long AmountMinor, string Currency, string Action, string Detail);
