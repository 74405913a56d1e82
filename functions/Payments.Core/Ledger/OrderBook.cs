using System.Text.Json;
using Azure.Data.Tables;
using Azure;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// The orders read model: one row per order for status queries and reconciliation. Written only
/// by the saga's steps, each write a merge of the same values, so replays and retries converge.
/// </summary>
public sealed class OrderBook(PaymentsStorage storage, TimeProvider clock)
{
    private const string RowKey = "order";

    /// <summary>
    /// Inserts the order if new. True when this registration wrote the row, including when the
    /// storage client's own retry of a timed-out insert finds the row its first attempt wrote: the
    /// registration id tells that 409 apart from another registration's.
    /// </summary>
    public async Task<bool> TryRegisterAsync(OrderRequest order, Guid registrationId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var now = clock.GetUtcNow();
        try
        {
            await table.AddEntityAsync(new TableEntity(order.OrderId, RowKey)
            {
                ["CustomerId"] = order.CustomerId,
                ["Provider"] = order.Provider,
                ["PaymentId"] = order.PaymentId,
                ["AmountMinor"] = order.AmountMinor,
                ["Currency"] = order.Currency,
                ["Status"] = nameof(OrderStatus.AwaitingPayment),
                ["Step"] = "Registered",
                ["RegisteredAt"] = now,
                ["UpdatedAt"] = now,
                ["RegistrationId"] = registrationId,
                ["Lines"] = JsonSerializer.Serialize(order.Lines),
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(order.OrderId, RowKey, select: ["RegistrationId"], cancellationToken: ct);
            return existing.HasValue && existing.Value!.GetGuid("RegistrationId") == registrationId;
        }
    }

    public async Task ApplyAsync(OrderStateChange change, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var patch = new TableEntity(change.OrderId, RowKey)
        {
            ["Status"] = change.Status.ToString(),
            ["Reason"] = change.Reason,
            ["Step"] = change.Step,
            ["UpdatedAt"] = clock.GetUtcNow(),
        };
        if (change.PaidAmountMinor is { } paid)
        {
            patch["PaidAmountMinor"] = paid;
            patch["PaidCurrency"] = change.PaidCurrency;
        }
        await table.UpsertEntityAsync(patch, TableUpdateMode.Merge, ct);
    }

    /// <summary>Notes that a recovery path handed this order's payment to its saga, so the next run does not again.</summary>
    public async Task MarkRecoveryRaisedAsync(string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        await table.UpsertEntityAsync(new TableEntity(orderId, RowKey) { ["RecoveryRaisedAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, ct);
    }

    public async Task<OrderRecord?> GetAsync(string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(orderId, RowKey, cancellationToken: ct);
        return row.HasValue ? ToRecord(row.Value!) : null;
    }

    public async IAsyncEnumerable<OrderRecord> ListAsync(OrderStatus? status = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var filter = status is { } s ? TableClient.CreateQueryFilter($"Status eq {s.ToString()}") : null;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            yield return ToRecord(row);
        }
    }

    private static OrderRecord ToRecord(TableEntity row) => new(
        row.PartitionKey,
        row.GetString("CustomerId") ?? "",
        row.GetString("Provider") ?? "",
        row.GetString("PaymentId") ?? "",
        row.GetInt64("AmountMinor") ?? 0,
        row.GetString("Currency") ?? "",
        Enum.Parse<OrderStatus>(row.GetString("Status")),
        row.GetString("Reason"),
        row.GetString("Step") ?? "",
        row.GetInt64("PaidAmountMinor"),
        row.GetDateTimeOffset("RegisteredAt") ?? default,
        row.GetDateTimeOffset("UpdatedAt") ?? default,
        row.GetString("Lines") is { } lines ? JsonSerializer.Deserialize<List<OrderLine>>(lines) ?? [] : [],
        row.GetDateTimeOffset("RecoveryRaisedAt"));
}
