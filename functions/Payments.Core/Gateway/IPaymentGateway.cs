using Payments.Saga;

namespace Payments.Gateway;

public enum GatewayPaymentState { Pending, Paid, Failed, Closed, NotFound }

/// <summary>What the gateway says about a payment right now.</summary>
public sealed record GatewayPayment(GatewayPaymentState State, long PaidAmountMinor, string Currency);

/// <summary>Closing stops a pending payment; a payment that was paid first cannot be closed and says so.</summary>
public sealed record CloseResult(bool Closed, long PaidAmountMinor, string Currency)
{
    public bool AlreadyPaid => !Closed;
}

/// <summary>One row of a gateway's daily settlement statement.</summary>
public sealed record StatementLine(string PaymentId, string OrderId, string Type, long AmountMinor, string Currency, DateTimeOffset OccurredAt);

/// <summary>
/// The pipeline's view of a payment gateway. Calls are short and retried in-call by the HTTP
/// resilience handler; long-horizon retries belong to the saga's Durable retry policies.
/// </summary>
public interface IPaymentGateway
{
    Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default);

    Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default);

    /// <summary>Refunds with an idempotency key, so a retried refund is never paid out twice.</summary>
    Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default);

    IAsyncEnumerable<StatementLine> GetStatementAsync(DateOnly date, CancellationToken ct = default);
}
