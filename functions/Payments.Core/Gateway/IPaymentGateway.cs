using Payments.Contracts;

namespace Payments.Gateway;

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

    /// <summary>The day's settlement statement, streamed; a row that cannot be parsed comes as a malformed entry, not an exception.</summary>
    IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, CancellationToken ct = default);
}
