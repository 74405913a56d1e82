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

    public async Task<long> GetBalanceAsync(string customerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        var balance = await table.GetEntityIfExistsAsync<TableEntity>(customerId, BalanceKey, cancellationToken: ct);
        return balance.HasValue ? balance.Value!.GetInt64("Points") ?? 0 : 0;
    }

    /// <summary>Every grant row: (customer, order, points).</summary>
    public async IAsyncEnumerable<(string CustomerId, string OrderId, long Points)> ListGrantsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ne {BalanceKey}"), cancellationToken: ct))
        {
            yield return (row.PartitionKey, row.GetString("OrderId"), row.GetInt64("Points") ?? 0);
        }
    }

    private static string GrantKey(string orderId) => $"grant-{orderId}";
}
