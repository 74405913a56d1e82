using Payments.Contracts;

namespace Payments.Gateway.Adyen;

/// <summary>
/// The Adyen connector takes webhooks only: it has no outbound port yet (Adyen's Checkout API for
/// payment details, cancels and refunds, and its settlement reports, are not wired). Each call says so
/// instead of pretending; the saga's retry policy then parks the step for an operator. The daily
/// statement has no Adyen lines, so reconciliation never heals an Adyen payment.
/// </summary>
public sealed class AdyenIntakeOnlyGateway : IPaymentGateway
{
    /// <summary>No query: the reconciler's active query skips Adyen orders rather than meet <see cref="NotSupportedException"/> every run.</summary>
    public bool CanQuery(string provider) => false;

    public bool HasStatement(string provider) => false;

    public Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default) =>
        throw NotSupported("query", payment.PaymentId);

    public Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default) =>
        throw NotSupported("cancel", payment.PaymentId);

    public Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default) =>
        throw NotSupported("refund", refund.PaymentId);

    public Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default) =>
        throw NotSupported("query the refund of", refund.PaymentId);

    public IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, CancellationToken ct = default) =>
        AsyncEnumerable.Empty<StatementEntry>();

    private static NotSupportedException NotSupported(string operation, string paymentId) =>
        new($"The adyen connector is intake-only: it cannot {operation} payment {paymentId} at Adyen. Do it in Adyen's Customer Area.");
}
