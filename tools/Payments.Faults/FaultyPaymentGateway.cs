using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Payments.Contracts;
using Payments.Gateway;
using Polly;

namespace Payments.Faults;

/// <summary>
/// The gateway port under injected faults: querying, closing and refunding a payment fail
/// transiently, and payments with the unclosable prefix can never be closed. They fail above the HTTP client's resilience handler, so they reach the saga's
/// Durable retry policy and the reconciler, where the simulator's HTTP errors never get. A statement
/// of a <see cref="FaultOptions.FailingStatementProviders"/> gateway breaks off after its first row for
/// its first reads (one gateway down on the day of the run); the others pass through.
/// </summary>
public sealed class FaultyPaymentGateway : IPaymentGateway
{
    private readonly IPaymentGateway inner;
    private readonly FaultOptions options;
    private readonly FaultRandom random;
    private readonly ResiliencePipeline call;
    private readonly ConcurrentDictionary<string, int> statementReads = new(StringComparer.Ordinal);

    public FaultyPaymentGateway(IPaymentGateway inner, FaultOptions options, FaultRandom random)
    {
        this.inner = inner;
        this.options = options;
        this.random = random;
        call = new ResiliencePipelineBuilder()
            .AddTransientFailures(options.GatewayTransientFailureRate, FaultMetrics.Gateway, random.Randomizer(FaultSeam.Gateway))
            .Build();
    }

    public async Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        using var key = random.Use(payment.PaymentId);
        return await call.ExecuteAsync(async token => await inner.QueryPaymentAsync(payment, token), ct);
    }

    public async Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        if (options.IsUnclosable(payment.PaymentId))
        {
            await FaultMetrics.CountAsync(FaultMetrics.UnclosablePayment);
            throw new InjectedFaultException("Injected close failure: this payment cannot be closed.");
        }
        using var key = random.Use(payment.PaymentId);
        return await call.ExecuteAsync(async token => await inner.ClosePaymentAsync(payment, token), ct);
    }

    public async Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
    {
        using var key = random.Use(refund.PaymentId);
        return await call.ExecuteAsync(async token => await inner.RefundAsync(refund, idempotencyKey, token), ct);
    }

    public async Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default)
    {
        using var key = random.Use(refund.PaymentId);
        return await call.ExecuteAsync(async token => await inner.QueryRefundAsync(refund, token), ct);
    }

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (StatementProviders.Count == 0)
        {
            // A port that is one gateway: nothing to single out.
            await foreach (var entry in inner.GetStatementAsync(date, ct))
            {
                yield return entry;
            }
            yield break;
        }
        foreach (var provider in StatementProviders)
        {
            await foreach (var entry in GetStatementAsync(date, provider, ct))
            {
                yield return entry;
            }
        }
    }

    public IReadOnlyList<string> StatementProviders => inner.StatementProviders;

    public bool CanQuery(string provider) => inner.CanQuery(provider);

    public bool HasStatement(string provider) => inner.HasStatement(provider);

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, string provider, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var breaks = options.HasFailingStatement(provider) && statementReads.AddOrUpdate(provider, 1, (_, n) => n + 1) <= options.StatementReadFailures;
        await foreach (var entry in inner.GetStatementAsync(date, provider, ct))
        {
            yield return entry;
            if (breaks)
            {
                break;
            }
        }
        if (breaks)
        {
            await FaultMetrics.CountAsync(FaultMetrics.Statement);
            throw new InjectedFaultException($"Injected statement failure: {provider}'s statement download broke off.");
        }
    }
}
