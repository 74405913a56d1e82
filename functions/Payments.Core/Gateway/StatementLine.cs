namespace Payments.Gateway;

/// <summary>One row of a gateway's daily settlement statement.</summary>
public sealed record StatementLine(string PaymentId, string OrderId, string Type, long AmountMinor, string Currency, DateTimeOffset OccurredAt);
