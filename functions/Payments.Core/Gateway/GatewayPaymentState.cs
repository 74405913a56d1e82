namespace Payments.Gateway;

public enum GatewayPaymentState { Pending, Paid, Failed, Closed, NotFound }
