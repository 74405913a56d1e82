namespace Payments.Contracts;

/// <summary>
/// The read-model change a saga step makes; applying it twice leaves the same row. A change to Paid
/// names the capture (provider and payment id) for the money ledger.
/// </summary>
public sealed record OrderStateChange(string OrderId, OrderStatus Status, string? Reason, string Step, long? PaidAmountMinor = null, string? PaidCurrency = null,
    string? Provider = null, string? PaymentId = null, OrderChangeCause Cause = OrderChangeCause.Saga);
