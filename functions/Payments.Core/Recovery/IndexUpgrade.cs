using Microsoft.DurableTask.Client;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Run once after deploying the (state, time) indexes the outbox relay, the purge, re-drive-all,
/// the active query, the statement run's capture index and the crashed-saga and failed-refund sweeps
/// read: rows and instances written before them get their index rows, or those readers would never see
/// them. Scans each table once; running it again changes nothing. The sweeps' index is filled from the
/// Durable instances in bounded runs (<see cref="OpenOrchestrationBackfill"/>): run it again until the
/// report says <see cref="IndexUpgradeReport.OpenOrchestrationsDone"/>.
/// </summary>
public sealed class IndexUpgrade(InboxStore inbox, DeadLetterStore letters, OrderBook orders, OpenOrchestrationBackfill orchestrations)
{
    public async Task<IndexUpgradeReport> RunAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var inboxRows = await inbox.ReindexLegacyRowsAsync(ct);
        var parkedLetters = await letters.ReindexLegacyLettersAsync(ct);
        var awaiting = await orders.ReindexAwaitingPaymentAsync(ct);
        var captured = await orders.ReindexCapturesAsync(ct);
        var (open, done) = await orchestrations.RunAsync(durable, ct);
        return new IndexUpgradeReport(inboxRows, parkedLetters, awaiting, captured, open, done);
    }
}
