namespace GatewaySimulator;

/// <summary>Immutable view of one payment, as the /v1 API returns it and as tests inspect it in-process.</summary>
/// <param name="Status">One of <c>pending</c>, <c>paid</c>, <c>failed</c>, <c>closed</c>.</param>
/// <param name="AmountMinor">The amount the merchant asked for.</param>
/// <param name="PaidAmountMinor">What the customer actually paid; 0 unless paid.</param>
/// <param name="Currency">The paid currency once paid (the customer may pay in another one), otherwise the requested currency.</param>
public sealed record PaymentSnapshot(
    string PaymentId,
    string OrderId,
    string Provider,
    string Status,
    long AmountMinor,
    long PaidAmountMinor,
    string Currency,
    long RefundedMinor,
    DateTimeOffset? PaidAt);
