using Azure.Data.Tables;

namespace Payments.Ledger;

/// <summary>
/// One order's read-model row as the last change written through it left it (its ETag and the
/// columns a change decides by), so that the next change of the same activity writes without
/// reading the row again. Taken at most once per copy: a write that fails reads the row afresh.
/// Lives within one activity run; never shared between orders or threads.
/// </summary>
public sealed class OrderRowCarry
{
    private TableEntity? row;

    internal OrderRowCarry(string orderId) => OrderId = orderId;

    public string OrderId { get; }

    /// <summary>The copy, once: a retry after a failed write must not trust it again.</summary>
    internal TableEntity? Take()
    {
        var taken = row;
        row = null;
        return taken;
    }

    internal void Keep(TableEntity written) => row = written;
}
