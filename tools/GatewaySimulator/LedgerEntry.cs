namespace GatewaySimulator;

/// <summary>
/// One money movement (capture or refund) as it appears on a daily statement. <paramref name="Sequence"/>
/// orders entries (and names Stripe's balance transactions); <paramref name="SourceId"/> is the charge or
/// refund behind it; <paramref name="Provider"/> says on whose statement it appears.
/// </summary>
internal sealed record LedgerEntry(
    string PaymentId,
    string OrderId,
    string Type,
    long AmountMinor,
    string Currency,
    DateTimeOffset OccurredAt,
    long Sequence = 0,
    string Provider = PaymentProviders.Standard,
    string SourceId = "");
