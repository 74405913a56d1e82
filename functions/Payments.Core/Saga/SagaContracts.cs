namespace Payments.Saga;

/// <summary>Where an order ends up. Only <see cref="AwaitingPayment"/> and <see cref="Paid"/> are not terminal.</summary>
public enum OrderStatus
{
    AwaitingPayment,
    Paid,
    Completed,
    Cancelled,
    Refunded,
    /// <summary>A refund the gateway kept rejecting; parked for an operator.</summary>
    RefundPending,
}

public sealed record OrderSagaInput(OrderRequest Order, SagaSettings Settings);

/// <summary>The saga's result, also its instance output.</summary>
public sealed record SagaOutcome(OrderStatus Status, string? Reason, bool PointsParked = false);

public enum ReserveResult
{
    Reserved,
    OutOfStock,
    /// <summary>The stock ledger could not be reached within the step's retries; never returned by the activity itself.</summary>
    Unavailable,
}

public enum CommitResult { Committed, Failed }

public sealed record StockRequest(string OrderId, IReadOnlyList<OrderLine> Lines);

public sealed record PointsRequest(string OrderId, string CustomerId, long Points);

public sealed record PaymentRef(string OrderId, string Provider, string PaymentId);

public sealed record RefundRequest(string OrderId, string Provider, string PaymentId, long AmountMinor, string Currency, string Reason);

public sealed record RefundResult(string RefundId);

/// <summary>The read-model change a saga step makes; applying it twice leaves the same row.</summary>
public sealed record OrderStateChange(string OrderId, OrderStatus Status, string? Reason, string Step, long? PaidAmountMinor = null, string? PaidCurrency = null);

/// <summary>The kinds of work a saga parks for an operator.</summary>
public static class ParkedKinds
{
    public const string RefundFailed = "refund_failed";
    public const string PointsGrant = "points_grant";
    public const string CloseFailed = "close_failed";
    public const string SagaFailed = "saga_failed";
    public const string ReleaseFailed = "release_failed";
    public const string RecordFailed = "record_failed";
}

/// <summary>Something the saga could not finish on its own and hands to an operator.</summary>
public sealed record ParkRequest(string OrderId, string Kind, string Reason, string Detail, RefundRequest? Refund = null);
