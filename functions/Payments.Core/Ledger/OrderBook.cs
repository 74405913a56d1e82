using System.Text.Json;
using Azure.Data.Tables;
using Azure;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// The orders read model: one row per order for status queries and reconciliation. Written only
/// by the saga's steps, each write a merge of the same values, so replays and retries converge,
/// and never backwards (<see cref="ApplyAsync"/>).
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

    /// <summary>
    /// Writes a saga step's status. The read model never goes backwards: a change from an earlier
    /// step than the row shows (a paused worker's stale copy of "Paid" landing after "Completed") is
    /// refused, decided against the row's current ETag so a concurrent write cannot slip between the
    /// check and the write.
    /// </summary>
    public async Task<RecordResult> ApplyAsync(OrderStateChange change, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(change.OrderId, RowKey, select: ["Status"], cancellationToken: token);
            if (current.HasValue && Enum.TryParse<OrderStatus>(current.Value!.GetString("Status"), out var shown) && Stage(shown) > Stage(change.Status))
            {
                return RecordResult.Stale;
            }
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
            if (current.HasValue)
            {
                await table.UpdateEntityAsync(patch, current.Value!.ETag, TableUpdateMode.Merge, token);
            }
            else
            {
                await table.AddEntityAsync(patch, token);
            }
            return RecordResult.Recorded;
        }, ct);
    }

    /// <summary>How far along the saga a status is: awaiting payment, paid, then any terminal state.</summary>
    private static int Stage(OrderStatus status) => status switch
    {
        OrderStatus.AwaitingPayment => 0,
        OrderStatus.Paid => 1,
        _ => 2,
    };

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
