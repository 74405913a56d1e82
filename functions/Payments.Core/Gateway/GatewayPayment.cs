namespace Payments.Gateway;

/// <summary>What the gateway says about a payment right now.</summary>
public sealed record GatewayPayment(GatewayPaymentState State, long PaidAmountMinor, string Currency);
