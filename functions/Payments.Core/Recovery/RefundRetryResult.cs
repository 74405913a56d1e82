namespace Payments.Recovery;

public enum RefundRetryResult { Started, NotParked }
