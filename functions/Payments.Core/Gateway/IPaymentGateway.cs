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

    /// <summary>
    /// Where a refund stands at the gateway (Stripe's refund retrieve, WeChat Pay's refund query by
    /// <c>out_refund_no</c>, Alipay's <c>alipay.trade.fastpay.refund.query</c>): what follows a refund
    /// the gateway accepted to its final state. A gateway without such a query throws <see cref="NotSupportedException"/>
    /// (its notices are then the only word).
    /// </summary>
    Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default);

    /// <summary>The day's settlement statement, streamed; a row that cannot be parsed comes as a malformed entry, not an exception.</summary>
    IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, CancellationToken ct = default);

    /// <summary>
    /// Whether <see cref="QueryPaymentAsync"/> can ask the gateway about a payment of this provider. An
    /// intake-only connector (Adyen's, with no outbound port) cannot: the active query leaves its orders
    /// to their webhooks and the saga's payment window instead of failing on them every run.
    /// </summary>
    bool CanQuery(string provider) => true;

    /// <summary>
    /// Whether the gateway has a statement to read for payments of this provider. An intake-only connector
    /// (Adyen's) has none: the statement run's look the other way (the ledger's captures against the
    /// statement) leaves its captures alone rather than calling every one of them missing.
    /// </summary>
    bool HasStatement(string provider) => true;

    /// <summary>
    /// The gateways whose statements <see cref="GetStatementAsync(DateOnly, CancellationToken)"/> puts
    /// together, each readable on its own, so one gateway that cannot be read does not keep the others'
    /// lines from being reconciled. Empty for a port that is one gateway.
    /// </summary>
    IReadOnlyList<string> StatementProviders => [];

    /// <summary>One gateway's statement of the day (one of <see cref="StatementProviders"/>).</summary>
    IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, string provider, CancellationToken ct = default) =>
        GetStatementAsync(date, ct);
}
