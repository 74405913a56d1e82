using System.Runtime.CompilerServices;
using Payments.Contracts;

namespace Payments.Gateway;

/// <summary>
/// The connectors of this deployment, side by side, and the port the saga, refunds and reconciler
/// call: each call goes to the connector the payment's <c>provider</c> names. The day's statement is
/// every callable connector's statement in turn (each gateway account only lists its own payments).
/// </summary>
public sealed class GatewayConnectors : IPaymentGateway
{
    private readonly Dictionary<string, IGatewayConnector> connectors;

    public GatewayConnectors(IEnumerable<IGatewayConnector> connectors)
    {
        this.connectors = new Dictionary<string, IGatewayConnector>(StringComparer.Ordinal);
        foreach (var connector in connectors)
        {
            if (!this.connectors.TryAdd(connector.Name, connector))
            {
                throw new InvalidOperationException($"Two gateway connectors are registered as '{connector.Name}'.");
            }
        }
    }

    /// <summary>Every connector, ordered by name.</summary>
    public IReadOnlyList<IGatewayConnector> All => [.. connectors.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    public IGatewayConnector For(string provider) =>
        connectors.GetValueOrDefault(provider) ?? throw new UnknownProviderException(provider, connectors.Keys);

    /// <summary>The outbound port of a configured connector; one not configured sends nothing and says which setting it lacks.</summary>
    public IPaymentGateway OutboundOf(string provider) =>
        For(provider) is { IsConfigured: true } connector ? connector.Outbound : throw new GatewayNotConfiguredException(provider, For(provider).ConfiguredBy);

    public Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default) =>
        OutboundOf(payment.Provider).QueryPaymentAsync(payment, ct);

    // An unknown provider is not "unqueryable": its query fails loudly (UnknownProviderException), as before.
    // One not configured is: its orders wait for the window's end instead of failing every run.
    public bool CanQuery(string provider) =>
        !connectors.TryGetValue(provider, out var connector) || connector.IsConfigured && connector.Outbound.CanQuery(provider);

    public bool HasStatement(string provider) =>
        connectors.TryGetValue(provider, out var connector) && StatementProviders.Contains(provider) && connector.Outbound.HasStatement(provider);

    public Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default) =>
        OutboundOf(payment.Provider).ClosePaymentAsync(payment, ct);

    public Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default) =>
        OutboundOf(refund.Provider).RefundAsync(refund, idempotencyKey, ct);

    public Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default) =>
        OutboundOf(refund.Provider).QueryRefundAsync(refund, ct);

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var provider in StatementProviders)
        {
            await foreach (var line in GetStatementAsync(date, provider, ct))
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// The connectors that can be called, by name. One that cannot (not configured, or its key unset or
    /// unresolved; health reports it) is left out rather than failing the day: the others' statements are
    /// still reconciled.
    /// </summary>
    public IReadOnlyList<string> StatementProviders => [.. All.Where(c => c.IsConfigured && c.UnusableCredential is null).Select(c => c.Name)];

    /// <summary>
    /// One connector's statement: each line's ids checked as they enter (<see cref="StatementEntry.WithIdsChecked"/>),
    /// and each line naming the gateway it came from, since a line may only ever move an order of that gateway.
    /// </summary>
    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, string provider, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var entry in OutboundOf(provider).GetStatementAsync(date, ct))
        {
            var checkedEntry = entry.WithIdsChecked();
            yield return checkedEntry.Line is { } line ? checkedEntry with { Line = line with { Provider = provider } } : checkedEntry;
        }
    }
}
