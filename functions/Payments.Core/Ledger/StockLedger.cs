using Azure;
using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// Stock per sku: a level row plus one reservation row per order in the sku's partition, changed
/// together in one entity-group transaction guarded by ETags. A try/confirm/cancel participant:
/// reserve, commit and release are idempotent per (order, sku), because the reservation row's
/// state says what already happened, and the row is the marker that makes the order's steps safe
/// against Durable's at-least-once activities and paused workers:
/// <list type="bullet">
/// <item>A release that finds no reservation writes a <see cref="ReservationState.Released"/> row anyway (empty rollback).</item>
/// <item>A reserve or commit that finds that row is refused and holds nothing (no suspension): a stale
/// reserve landing after its order was cancelled cannot strand stock.</item>
/// <item>A release of a committed line un-commits it, so the saga's compensation after a commit that failed
/// part-way leaves nothing committed: commit is all-or-nothing per order.</item>
/// </list>
/// Concurrent steps of one order race on the reservation row (insert conflict or ETag), concurrent
/// orders on the level row's ETag; the loser re-reads and decides again.
/// </summary>
public sealed class StockLedger(PaymentsStorage storage) : IStockReservations
{
    private const string LevelKey = "level";

    /// <summary>Sets how many units are available for new reservations; what is reserved and committed is kept.</summary>
    public async Task SetLevelAsync(string sku, long available, CancellationToken ct = default) =>
        await SetAvailableAsync(sku, available, ifMatch: null, ct);

    /// <summary>
    /// The operator's stock adjustment: replaces <c>Available</c> only, guarded by the level row's ETag so
    /// that no concurrent reserve, commit or release is lost. With <paramref name="ifMatch"/>, the
    /// change applies only to that version of the level (null when it moved on); without, it
    /// applies to whatever the level is now.
    /// </summary>
    public async Task<VersionedStockLevel?> SetAvailableAsync(string sku, long available, ETag? ifMatch, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        var table = await storage.TableAsync(TableNames.Stock, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(sku, LevelKey, cancellationToken: token);
            if (ifMatch is { } expected && (!row.HasValue || row.Value!.ETag != expected))
            {
                return null;
            }
            if (!row.HasValue)
            {
                var created = new StockLevel(sku, available, 0, 0);
                var added = await table.AddEntityAsync(ToRow(created), token);
                return new VersionedStockLevel(created, added.Headers.ETag ?? default);
            }
            var level = ToLevel(row.Value!) with { Available = available };
            var updated = await table.UpdateEntityAsync(ToRow(level), row.Value!.ETag, TableUpdateMode.Replace, token);
            return new VersionedStockLevel(level, updated.Headers.ETag ?? default);
        }, ct);
    }

    public async Task<VersionedStockLevel?> GetVersionedLevelAsync(string sku, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sku, LevelKey, cancellationToken: ct);
        return row.HasValue ? new VersionedStockLevel(ToLevel(row.Value!), row.Value!.ETag) : null;
    }

    public async Task<StockLevel?> GetLevelAsync(string sku, CancellationToken ct = default) =>
        (await GetVersionedLevelAsync(sku, ct))?.Level;

    public async Task<ReservationState?> GetReservationAsync(string sku, string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sku, ReservationKey(orderId), cancellationToken: ct);
        return row.HasValue ? StateOf(row.Value!) : null;
    }

    /// <summary>
    /// Reserves every line or none: a line that cannot be reserved (out of stock, or its order already
    /// released) releases the order, so the lines before it are given back and every line is marked.
    /// </summary>
    public async Task<ReserveResult> ReserveAsync(StockRequest request, CancellationToken ct = default)
    {
        foreach (var line in request.Lines)
        {
            if (!await ReserveLineAsync(line, request.OrderId, ct))
            {
                await ReleaseAsync(request, ct);
                return ReserveResult.OutOfStock;
            }
        }
        return ReserveResult.Reserved;
    }

    /// <summary>
    /// Commits every line or reports <see cref="CommitResult.Failed"/>: lines are checked first, so an
    /// order with a line no longer reserved commits nothing; a line released while the others were
    /// being committed fails the commit, and the saga's compensation (release) un-commits the rest.
    /// </summary>
    public async Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        var checkedRows = new TableEntity[request.Lines.Count];
        for (var i = 0; i < request.Lines.Count; i++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(request.Lines[i].Sku, ReservationKey(request.OrderId), cancellationToken: ct);
            if (!row.HasValue || StateOf(row.Value!) is not (ReservationState.Reserved or ReservationState.Committed))
            {
                return CommitResult.Failed;
            }
            checkedRows[i] = row.Value!;
        }
        for (var i = 0; i < request.Lines.Count; i++)
        {
            // The row just checked is the first attempt's copy (its ETag guards the move); a retry reads it again.
            if (!await CommitLineAsync(request.Lines[i].Sku, request.OrderId, checkedRows[i], ct))
            {
                return CommitResult.Failed;
            }
        }
        return CommitResult.Committed;
    }

    /// <summary>Gives back whatever the order holds, reserved or committed, and marks every line released, held or not.</summary>
    public async Task ReleaseAsync(StockRequest request, CancellationToken ct = default)
    {
        foreach (var line in request.Lines)
        {
            await ReleaseLineAsync(line.Sku, request.OrderId, ct);
        }
    }

    /// <summary>
    /// Puts a refunded order's committed stock back on the shelf: each committed line becomes
    /// <see cref="ReservationState.Returned"/> and its quantity available again. Idempotent: a line
    /// returned already (or never committed) is left as it is.
    /// </summary>
    public async Task ReturnAsync(StockRequest request, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        foreach (var line in request.Lines)
        {
            await ETagRetry.Pipeline.ExecuteAsync(async token =>
            {
                if (await ReadReservationAsync(table, line.Sku, request.OrderId, token) is { } reservation && StateOf(reservation) == ReservationState.Committed)
                {
                    var quantity = reservation.GetInt64("Quantity") ?? 0;
                    await MoveAsync(table, line.Sku, reservation, ReservationState.Returned,
                        level => level with { Available = level.Available + quantity, Committed = level.Committed - quantity }, token);
                }
            }, ct);
        }
    }

    public async IAsyncEnumerable<(string Sku, string OrderId, ReservationState State, long Quantity)> ListReservationsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ne {LevelKey}"), cancellationToken: ct))
        {
            yield return (row.PartitionKey, row.GetString("OrderId"), StateOf(row), row.GetInt64("Quantity") ?? 0);
        }
    }

    public async IAsyncEnumerable<StockLevel> ListLevelsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {LevelKey}"), cancellationToken: ct))
        {
            yield return ToLevel(row);
        }
    }

    /// <summary>True when the line is reserved for the order (now or by an earlier attempt); false when out of stock or already released.</summary>
    /// <remarks>
    /// The first attempt does not read the reservation row: it is almost never there, and the
    /// transaction's <c>Add</c> of it fails with 409 when it is (an earlier attempt's reservation, or a
    /// release's marker), which leaves the level untouched. Only then, or after any other conflict, is
    /// the row read and the decision made from what it says. One point read (and one 404) less per line.
    /// </remarks>
    private async Task<bool> ReserveLineAsync(OrderLine line, string orderId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        var lookFirst = false;
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            if (lookFirst && await GetReservationAsync(line.Sku, orderId, token) is { } state)
            {
                // Released: this reserve arrives after its order's release (a paused worker's stale copy). Refused.
                return state != ReservationState.Released;
            }
            lookFirst = true;
            var levelRow = await table.GetEntityIfExistsAsync<TableEntity>(line.Sku, LevelKey, cancellationToken: token);
            if (!levelRow.HasValue || ToLevel(levelRow.Value!).Available < line.Quantity)
            {
                // Out of stock, unless an earlier attempt reserved this line already: only the reservation row can say.
                return await GetReservationAsync(line.Sku, orderId, token) is { } earlier && earlier != ReservationState.Released;
            }
            var level = ToLevel(levelRow.Value!);
            // Add, not upsert: a reservation or a release's marker already there makes the transaction fail
            // with 409, and the retry reads it.
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace,
                    ToRow(level with { Available = level.Available - line.Quantity, Reserved = level.Reserved + line.Quantity }), levelRow.Value!.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, Reservation(line.Sku, orderId, line.Quantity, ReservationState.Reserved)),
            ], token);
            return true;
        }, ct);
    }

    /// <summary>True when the line is committed (now or by an earlier attempt); false when it is not reserved (released, or never reserved).</summary>
    private async Task<bool> CommitLineAsync(string sku, string orderId, TableEntity? known, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var reservation = known ?? await ReadReservationAsync(table, sku, orderId, token);
            known = null;
            switch (reservation is null ? ReservationState.Released : StateOf(reservation))
            {
                case ReservationState.Committed:
                    return true;
                case ReservationState.Released:
                    return false;
            }
            var quantity = reservation!.GetInt64("Quantity") ?? 0;
            await MoveAsync(table, sku, reservation, ReservationState.Committed,
                level => level with { Reserved = level.Reserved - quantity, Committed = level.Committed + quantity }, token);
            return true;
        }, ct);
    }

    private async Task ReleaseLineAsync(string sku, string orderId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var reservation = await table.GetEntityIfExistsAsync<TableEntity>(sku, ReservationKey(orderId), cancellationToken: token);
            if (!reservation.HasValue)
            {
                // Empty rollback: nothing was reserved (yet). The marker refuses a reserve that lands later;
                // a reserve that wins the race makes this insert fail with 409, and the retry releases it.
                await table.AddEntityAsync(Reservation(sku, orderId, 0, ReservationState.Released), token);
                return;
            }
            var quantity = reservation.Value!.GetInt64("Quantity") ?? 0;
            switch (StateOf(reservation.Value))
            {
                case ReservationState.Reserved:
                    await MoveAsync(table, sku, reservation.Value, ReservationState.Released,
                        level => level with { Available = level.Available + quantity, Reserved = level.Reserved - quantity }, token);
                    break;
                case ReservationState.Committed:
                    // Only the saga's compensation releases, and it never runs for an order that completed:
                    // a committed line here belongs to a commit that failed part-way. Un-commit it.
                    await MoveAsync(table, sku, reservation.Value, ReservationState.Released,
                        level => level with { Available = level.Available + quantity, Committed = level.Committed - quantity }, token);
                    break;
            }
        }, ct);
    }

    private static async Task<TableEntity?> ReadReservationAsync(TableClient table, string sku, string orderId, CancellationToken ct)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sku, ReservationKey(orderId), cancellationToken: ct);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Moves one reservation row to <paramref name="to"/> and adjusts the level with it, both guarded by their ETags.</summary>
    private static async Task MoveAsync(TableClient table, string sku, TableEntity reservation, ReservationState to, Func<StockLevel, StockLevel> adjust, CancellationToken ct)
    {
        var levelRow = (await table.GetEntityAsync<TableEntity>(sku, LevelKey, cancellationToken: ct)).Value;
        var moved = Reservation(sku, reservation.GetString("OrderId"), reservation.GetInt64("Quantity") ?? 0, to);
        await table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToRow(adjust(ToLevel(levelRow))), levelRow.ETag),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, moved, reservation.ETag),
        ], ct);
    }

    private static TableEntity Reservation(string sku, string orderId, long quantity, ReservationState state) =>
        new(sku, ReservationKey(orderId)) { ["OrderId"] = orderId, ["Quantity"] = quantity, ["State"] = state.ToString() };

    private static string ReservationKey(string orderId) => $"res-{orderId}";

    private static ReservationState StateOf(TableEntity row) => Enum.Parse<ReservationState>(row.GetString("State"));

    private static StockLevel ToLevel(TableEntity row) =>
        new(row.PartitionKey, row.GetInt64("Available") ?? 0, row.GetInt64("Reserved") ?? 0, row.GetInt64("Committed") ?? 0);

    private static TableEntity ToRow(StockLevel level) =>
        new(level.Sku, LevelKey) { ["Available"] = level.Available, ["Reserved"] = level.Reserved, ["Committed"] = level.Committed };
}
