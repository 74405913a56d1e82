namespace Payments.Gateway;

/// <summary>
/// One row of a gateway's daily settlement statement. <see cref="Provider"/> is the gateway whose
/// statement it came from (stamped by <see cref="GatewayConnectors"/>); null only for a line staged
/// before lines carried it.
/// </summary>
public sealed record StatementLine(string PaymentId, string OrderId, string Type, long AmountMinor, string Currency, DateTimeOffset OccurredAt, string? Provider = null);
