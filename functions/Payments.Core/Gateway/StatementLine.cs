namespace Payments.Gateway;

/// <summary>
/// One row of a gateway's daily settlement statement, in the payment's own amount and currency (the
/// charge's or the refund's: what the customer paid, what a refund asks for). <see cref="Provider"/> is
/// the gateway whose statement it came from (stamped by <see cref="GatewayConnectors"/>); null only for a
/// line staged before lines carried it. <see cref="Settlement"/> is what the movement settled to the
/// merchant's balance, where the gateway says so (Stripe's balance transaction): reported beside the
/// line, never read as the payment's amount. <see cref="RefundId"/> is the gateway's id of a refund line's
/// refund, where the statement names it: what a refund made outside the pipeline is recorded under.
/// </summary>
public sealed record StatementLine(
    string PaymentId, string OrderId, string Type, long AmountMinor, string Currency, DateTimeOffset OccurredAt, string? Provider = null,
    StatementSettlement? Settlement = null, string? RefundId = null);
