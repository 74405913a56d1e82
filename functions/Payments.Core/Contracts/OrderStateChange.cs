namespace Payments.Contracts;

/// <summary>The read-model change a saga step makes; applying it twice leaves the same row.</summary>
public sealed record OrderStateChange(string OrderId, OrderStatus Status, string? Reason, string Step, long? PaidAmountMinor = null, string? PaidCurrency = null);
