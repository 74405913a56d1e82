using Payments.Gateway;
using Payments.Saga;

namespace Payments.Benchmarks.Reconciliation;

/// <summary>What the ledger knows about one order, for matching statement lines against it.</summary>
public sealed record LedgerEntry(OrderStatus Status, long AmountMinor, string Currency);

/// <summary>How many statement lines fell into each reconciliation case.</summary>
public sealed class ClassCounts
{
    public long Matched { get; set; }
    public long PaidButUnknown { get; set; }
    public long PaidButCancelled { get; set; }
    public long AmountMismatch { get; set; }
    public long Refunds { get; set; }

    public long Total => Matched + PaidButUnknown + PaidButCancelled + AmountMismatch + Refunds;
}

/// <summary>
/// STAND-IN, written for the bench, not the pipeline's reconciler (which is being written
/// separately): matches each statement line against an in-memory ledger lookup and counts the
/// cases ARCHITECTURE.md names (paid-but-unknown, paid-but-cancelled, amount mismatch). It keeps
/// no per-line state, as a streaming reconciler must not; it takes no action and writes no report.
/// </summary>
public static class StandInClassifier
{
    public static async Task<ClassCounts> ClassifyAsync(IAsyncEnumerable<StatementLine> lines, IReadOnlyDictionary<string, LedgerEntry> ledger, CancellationToken ct = default)
    {
        var counts = new ClassCounts();
        await foreach (var line in lines.WithCancellation(ct))
        {
            if (line.Type != "payment")
            {
                counts.Refunds++;
            }
            else if (!ledger.TryGetValue(line.OrderId, out var entry))
            {
                counts.PaidButUnknown++;
            }
            else if (entry.Status == OrderStatus.Cancelled)
            {
                counts.PaidButCancelled++;
            }
            else if (entry.AmountMinor != line.AmountMinor || entry.Currency != line.Currency)
            {
                counts.AmountMismatch++;
            }
            else
            {
                counts.Matched++;
            }
        }
        return counts;
    }
}
