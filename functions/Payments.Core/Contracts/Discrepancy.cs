namespace Payments.Contracts;

public sealed record Discrepancy(DateOnly Date, DiscrepancyClass Class, string PaymentId, string OrderId, long AmountMinor, string Currency, string Action, string Detail);
