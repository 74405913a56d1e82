using Payments.Ledger;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Run once after deploying the (state, time) indexes the outbox relay, the purge, re-drive-all and
/// the active query and the statement run's capture index read: rows written before them get their index rows, or those readers would
/// never see them. Scans each table once; running it again changes nothing.
/// </summary>
public sealed class IndexUpgrade(InboxStore inbox, DeadLetterStore letters, OrderBook orders)
{
    public async Task<IndexUpgradeReport> RunAsync(CancellationToken ct = default) => new(
        await inbox.ReindexLegacyRowsAsync(ct),
        await letters.ReindexLegacyLettersAsync(ct),
        await orders.ReindexAwaitingPaymentAsync(ct),
        await orders.ReindexCapturesAsync(ct));
}
