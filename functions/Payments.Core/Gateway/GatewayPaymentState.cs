namespace Payments.Gateway;

/// <summary>A payment's state as the gateway reports it.</summary>
public enum GatewayPaymentState { Pending, Paid, Failed, Closed, NotFound }
