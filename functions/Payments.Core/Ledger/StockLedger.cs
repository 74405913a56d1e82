using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// Stock per sku: a level row plus one reservation row per order in the sku's partition, changed
/// together in one entity-group transaction guarded by ETags. Reserve, commit and release are
/// idempotent by (order, step): a reservation row's state says what already happened.
/// </summary>
public sealed class StockLedger(PaymentsStorage storage) : IStockReservations
{
    private const string LevelKey = "level";

    public async Task SetLevelAsync(string sku, long available, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await table.UpsertEntityAsync(
            new TableEntity(sku, LevelKey) { ["Available"] = available, ["Reserved"] = 0L, ["Committed"] = 0L },
            TableUpdateMode.Replace, ct);
    }

    public async Task<StockLevel?> GetLevelAsync(string sku, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sku, LevelKey, cancellationToken: ct);
        return row.HasValue ? ToLevel(row.Value!) : null;
    }

    public async Task<ReservationState?> GetReservationAsync(string sku, string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sku, ReservationKey(orderId), cancellationToken: ct);
        return row.HasValue ? Enum.Parse<ReservationState>(row.Value!.GetString("State")) : null;
    }

    /// <summary>Reserves every line or none: a line that cannot be reserved releases the ones before it.</summary>
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

    public async Task<CommitResult> CommitAsync(StockRequest request, CancellationToken ct = default)
    {
        foreach (var line in request.Lines)
        {
            await MoveAsync(line.Sku, request.OrderId, ReservationState.Reserved, ReservationState.Committed,
                (level, qty) => level with { Reserved = level.Reserved - qty, Committed = level.Committed + qty }, ct);
        }
        return CommitResult.Committed;
    }

    public async Task ReleaseAsync(StockRequest request, CancellationToken ct = default)
    {
        foreach (var line in request.Lines)
        {
            await MoveAsync(line.Sku, request.OrderId, ReservationState.Reserved, ReservationState.Released,
                (level, qty) => level with { Available = level.Available + qty, Reserved = level.Reserved - qty }, ct);
        }
    }

    public async IAsyncEnumerable<(string Sku, string OrderId, ReservationState State, long Quantity)> ListReservationsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.RowKey != LevelKey, cancellationToken: ct))
        {
            yield return (row.PartitionKey, row.GetString("OrderId"), Enum.Parse<ReservationState>(row.GetString("State")), row.GetInt64("Quantity") ?? 0);
        }
    }

    public async IAsyncEnumerable<StockLevel> ListLevelsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.RowKey == LevelKey, cancellationToken: ct))
        {
            yield return ToLevel(row);
        }
    }

    private async Task<bool> ReserveLineAsync(OrderLine line, string orderId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(line.Sku, ReservationKey(orderId), cancellationToken: token);
            if (existing.HasValue)
            {
                return existing.Value!.GetString("State") != nameof(ReservationState.Released);
            }
            var levelRow = await table.GetEntityIfExistsAsync<TableEntity>(line.Sku, LevelKey, cancellationToken: token);
            if (!levelRow.HasValue || ToLevel(levelRow.Value!).Available < line.Quantity)
            {
                return false;
            }
            var level = ToLevel(levelRow.Value!);
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace,
                    ToRow(level with { Available = level.Available - line.Quantity, Reserved = level.Reserved + line.Quantity }), levelRow.Value!.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(line.Sku, ReservationKey(orderId))
                {
                    ["OrderId"] = orderId,
                    ["Quantity"] = (long)line.Quantity,
                    ["State"] = nameof(ReservationState.Reserved),
                }),
            ], token);
            return true;
        }, ct);
    }

    /// <summary>Moves one reservation from <paramref name="from"/> to <paramref name="to"/>; any other state means it already happened (or never can).</summary>
    private async Task MoveAsync(string sku, string orderId, ReservationState from, ReservationState to, Func<StockLevel, long, StockLevel> adjust, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Stock, ct);
        await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var reservation = await table.GetEntityIfExistsAsync<TableEntity>(sku, ReservationKey(orderId), cancellationToken: token);
            if (!reservation.HasValue || reservation.Value!.GetString("State") != from.ToString())
            {
                return;
            }
            var levelRow = (await table.GetEntityAsync<TableEntity>(sku, LevelKey, cancellationToken: token)).Value;
            var quantity = reservation.Value.GetInt64("Quantity") ?? 0;
            var moved = new TableEntity(sku, ReservationKey(orderId)) { ["OrderId"] = orderId, ["Quantity"] = quantity, ["State"] = to.ToString() };
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToRow(adjust(ToLevel(levelRow), quantity)), levelRow.ETag),
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, moved, reservation.Value.ETag),
            ], token);
        }, ct);
    }

    private static string ReservationKey(string orderId) => $"res-{orderId}";

    private static StockLevel ToLevel(TableEntity row) =>
        new(row.PartitionKey, row.GetInt64("Available") ?? 0, row.GetInt64("Reserved") ?? 0, row.GetInt64("Committed") ?? 0);

    private static TableEntity ToRow(StockLevel level) =>
        new(level.Sku, LevelKey) { ["Available"] = level.Available, ["Reserved"] = level.Reserved, ["Committed"] = level.Committed };
}
