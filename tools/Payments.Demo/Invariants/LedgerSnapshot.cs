using GatewaySimulator;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Demo.Invariants;

/// <summary>
/// Everything the invariants are checked against, read once after the pipeline went quiet: the
/// pipeline's tables, the gateway's payments and settlement lines, and the Durable instances.
/// Plain records, so a test can build one by hand and corrupt it on purpose.
/// </summary>
public sealed record LedgerSnapshot
{
    /// <summary>The orders read model.</summary>
    public IReadOnlyList<OrderRecord> Orders { get; init; } = [];

    /// <summary>What each order asked for, from its saga's input; orders missing here are only checked through their reservation rows.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<OrderLine>> OrderLines { get; init; } = new Dictionary<string, IReadOnlyList<OrderLine>>();

    /// <summary>The gateway's payments: status, captured amount, refunded total, when paid.</summary>
    public IReadOnlyList<PaymentSnapshot> GatewayPayments { get; init; } = [];

    /// <summary>The gateway's settlement lines (captures and refunds) for every day of the run.</summary>
    public IReadOnlyList<StatementLine> Statement { get; init; } = [];

    /// <summary>Stock each sku started with; the conservation check compares against it.</summary>
    public IReadOnlyDictionary<string, long> InitialStock { get; init; } = new Dictionary<string, long>();

    public IReadOnlyList<StockLevel> StockLevels { get; init; } = [];

    public IReadOnlyList<StockReservation> Reservations { get; init; } = [];

    public IReadOnlyList<PointsGrant> Grants { get; init; } = [];

    /// <summary>Points taken back by refunds of completed orders (after-sales, at the gateway).</summary>
    public IReadOnlyList<PointsReversalRow> Reversals { get; init; } = [];

    /// <summary>The money ledger: every capture, refund and dispute the pipeline recorded, with its state.</summary>
    public IReadOnlyList<MoneyMovement> Money { get; init; } = [];

    /// <summary>The gateway's refunds, each with its final status (succeeded, failed, pending).</summary>
    public IReadOnlyList<RefundSnapshot> GatewayRefunds { get; init; } = [];

    /// <summary>The gateway's disputes (chargebacks), each with its status (needs_response, won, lost).</summary>
    public IReadOnlyList<DisputeSnapshot> GatewayDisputes { get; init; } = [];

    /// <summary>Each customer's balance row.</summary>
    public IReadOnlyDictionary<string, long> PointsBalances { get; init; } = new Dictionary<string, long>();

    /// <summary>Every order saga (<c>order-…</c>) and refund orchestration (<c>refund-…</c>) that exists.</summary>
    public IReadOnlyList<OrchestrationRecord> Orchestrations { get; init; } = [];

    public IReadOnlyList<InboxRow> Inbox { get; init; } = [];

    /// <summary>Work parked for an operator by the sagas and the statement reconciliation.</summary>
    public IReadOnlyList<ParkedItem> Parked { get; init; } = [];

    /// <summary>Dead-lettered callbacks, parked or already resolved.</summary>
    public IReadOnlyList<ParkedLetter> DeadLetters { get; init; } = [];
}
