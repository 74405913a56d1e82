using Payments.Contracts;
using Payments.Gateway;

namespace Payments.Tests.Infrastructure;

/// <summary>The gateway port with <see cref="StepGates"/> in front of its close and its refunds.</summary>
internal sealed class GatedGateway(IPaymentGateway inner, StepGates gates) : IPaymentGateway
{
    public Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default) => inner.QueryPaymentAsync(payment, ct);

    public async Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        await gates.PassAsync("close", payment.PaymentId);
        return await inner.ClosePaymentAsync(payment, ct);
    }

    public async Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
    {
        await gates.PassAsync("refund", refund.PaymentId);
        return await inner.RefundAsync(refund, idempotencyKey, ct);
    }

    public Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default) => inner.QueryRefundAsync(refund, ct);

    public IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, CancellationToken ct = default) => inner.GetStatementAsync(date, ct);

    public IReadOnlyList<string> StatementProviders => inner.StatementProviders;

    public bool CanQuery(string provider) => inner.CanQuery(provider);

    public bool HasStatement(string provider) => inner.HasStatement(provider);

    public IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, string provider, CancellationToken ct = default) => inner.GetStatementAsync(date, provider, ct);
}
