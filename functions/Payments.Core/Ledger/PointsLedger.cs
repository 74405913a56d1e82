using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// Loyalty points per customer: a balance row plus one grant row per order in the customer's
/// partition, written together in one entity-group transaction, so a grant happens once per order
/// (the grant row's insert is what refuses a second one).
/// </summary>
public sealed class PointsLedger(PaymentsStorage storage) : IPointsGrants
{
    private const string BalanceKey = "balance";

    public async Task<GrantResult> GrantAsync(PointsRequest request, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        // The first attempt does not look for the grant row: the transaction's Add of it fails with 409
        // when an earlier attempt granted already (the balance is then left as it was), and only the retry reads it.
        var lookFirst = false;
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            if (lookFirst && (await table.GetEntityIfExistsAsync<TableEntity>(request.CustomerId, GrantKey(request.OrderId), select: ["OrderId"], cancellationToken: token)).HasValue)
            {
                return GrantResult.AlreadyGranted;
            }
            lookFirst = true;
            var balance = await table.GetEntityIfExistsAsync<TableEntity>(request.CustomerId, BalanceKey, cancellationToken: token);
            var current = balance.HasValue ? balance.Value!.GetInt64("Points") ?? 0 : 0;
            var newBalance = new TableEntity(request.CustomerId, BalanceKey) { ["Points"] = current + request.Points };
            await table.SubmitTransactionAsync(
            [
                balance.HasValue
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, newBalance, balance.Value!.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, newBalance),
                new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(request.CustomerId, GrantKey(request.OrderId)) { ["OrderId"] = request.OrderId, ["Points"] = request.Points }),
            ], token);
            return GrantResult.Granted;
        }, ct);
    }

    /// <summary>
    /// Reverses points granted for an order, as a reversal row (its cause and key: one per refund) beside
    /// the grant, in the same transaction as the balance: every change of a customer's points is traceable
    /// to its order and cause. <paramref name="refundedShare"/> is the share of the order's capture refunded
    /// so far, this refund included: the grant's reversals then add up to that share of it (rounded up, so
    /// a full refund leaves no point behind), never more than was granted; nothing when nothing was granted.
    /// </summary>
    public async Task<PointsReversal> ReverseAsync(string customerId, string orderId, string reversalKey, string cause, decimal refundedShare, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var reversalRow = ReversalKey(orderId, reversalKey);
            if ((await table.GetEntityIfExistsAsync<TableEntity>(customerId, reversalRow, select: ["Points"], cancellationToken: token)) is { HasValue: true } done)
            {
                return new PointsReversal(done.Value!.GetInt64("Points") ?? 0, AlreadyReversed: true);
            }
            // The balance first: its ETag guards the write, so a reversal of this order committed after this read
            // (which the query below might not see) fails the write and the retry counts it.
            var balance = await table.GetEntityAsync<TableEntity>(customerId, BalanceKey, cancellationToken: token);
            var grant = await table.GetEntityIfExistsAsync<TableEntity>(customerId, GrantKey(orderId), select: ["Points"], cancellationToken: token);
            var granted = grant.HasValue ? grant.Value!.GetInt64("Points") ?? 0 : 0;
            var reversedSoFar = 0L;
            await foreach (var earlier in table.QueryAsync<TableEntity>(
                $"PartitionKey eq '{customerId}' and RowKey ge '{ReversalPrefix(orderId)}' and RowKey lt '{ReversalPrefix(orderId)}~~'", select: ["Points"], cancellationToken: token))
            {
                reversedSoFar += earlier.GetInt64("Points") ?? 0;
            }
            var points = (long)Math.Ceiling(granted * Math.Clamp(refundedShare, 0m, 1m)) - reversedSoFar;
            if (points <= 0)
            {
                return new PointsReversal(0, AlreadyReversed: false);
            }
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace,
                    new TableEntity(customerId, BalanceKey) { ["Points"] = (balance.Value.GetInt64("Points") ?? 0) - points }, balance.Value.ETag),
                new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(customerId, reversalRow) { ["OrderId"] = orderId, ["Points"] = points, ["Cause"] = cause }),
            ], token);
            return new PointsReversal(points, AlreadyReversed: false);
        }, ct);
    }

    /// <summary>Every reversal row: (customer, order, points reversed, cause).</summary>
    public async IAsyncEnumerable<(string CustomerId, string OrderId, long Points, string Cause)> ListReversalsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        await foreach (var row in table.QueryAsync<TableEntity>("RowKey ge 'reversal-' and RowKey lt 'reversal.'", cancellationToken: ct))
        {
            yield return (row.PartitionKey, row.GetString("OrderId"), row.GetInt64("Points") ?? 0, row.GetString("Cause") ?? "");
        }
    }

    public async Task<long> GetBalanceAsync(string customerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        var balance = await table.GetEntityIfExistsAsync<TableEntity>(customerId, BalanceKey, cancellationToken: ct);
        return balance.HasValue ? balance.Value!.GetInt64("Points") ?? 0 : 0;
    }

    /// <summary>Every grant row: (customer, order, points). Reversals are rows of their own (<see cref="ListReversalsAsync"/>).</summary>
    public async IAsyncEnumerable<(string CustomerId, string OrderId, long Points)> ListGrantsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        await foreach (var row in table.QueryAsync<TableEntity>("RowKey ge 'grant-' and RowKey lt 'grant.'", cancellationToken: ct))
        {
            yield return (row.PartitionKey, row.GetString("OrderId"), row.GetInt64("Points") ?? 0);
        }
    }

    /// <summary>
    /// One customer's balance row beside the sum of their grant rows and of their reversal rows: one
    /// query of the customer's partition (the money monitor's points check).
    /// </summary>
    public async Task<PointsTally> TallyAsync(string customerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        long balance = 0, granted = 0, reversed = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerId}"), select: ["RowKey", "Points"], cancellationToken: ct))
        {
            var points = row.GetInt64("Points") ?? 0;
            if (row.RowKey == BalanceKey)
            {
                balance = points;
            }
            else if (row.RowKey.StartsWith("grant-", StringComparison.Ordinal))
            {
                granted += points;
            }
            else if (row.RowKey.StartsWith("reversal-", StringComparison.Ordinal))
            {
                reversed += points;
            }
        }
        return new PointsTally(customerId, balance, granted, reversed);
    }

    private static string GrantKey(string orderId) => $"grant-{orderId}";

    private static string ReversalPrefix(string orderId) => $"reversal-{orderId}~";

    private static string ReversalKey(string orderId, string reversalKey) => ReversalPrefix(orderId) + reversalKey;
}

/// <summary>A customer's points balance row and the grant and reversal rows it should add up to.</summary>
public sealed record PointsTally(string CustomerId, long Balance, long Granted, long Reversed)
{
    public bool AddsUp => Balance == Granted - Reversed;
}
