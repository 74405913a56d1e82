using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// What the money monitor reads instead of history (table <see cref="TableNames.MoneyWatch"/>, one
/// partition): every capture not settled yet, and every customer whose points moved since the monitor
/// last looked. A capture is listed when the ledger records it and unlisted when it settles — its order
/// completed with it (together with listing the customer, whose points the completion granted: one
/// entity-group transaction) or a final refund covering it — so the list holds the captures in flight
/// plus the ones that break the rule. A path that settles a capture without unlisting it (a saga of an
/// older version) costs the monitor one look, which unlists it; it never hides a capture.
/// </summary>
public sealed class MoneyWatch(PaymentsStorage storage, TimeProvider clock)
{
    private const string Partition = "watch";
    private const string CapturePrefix = "capture~";
    private const string PointsPrefix = "points~";

    /// <summary>Lists a capture (once: a later record of the same capture keeps the first time).</summary>
    public async Task WatchCaptureAsync(string orderId, string provider, string paymentId, long amountMinor, string currency, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition, CaptureKey(orderId, paymentId))
            {
                ["OrderId"] = orderId,
                ["Provider"] = provider,
                ["PaymentId"] = paymentId,
                ["AmountMinor"] = amountMinor,
                ["Currency"] = currency,
                ["CapturedAt"] = clock.GetUtcNow(),
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Listed already.
        }
    }

    /// <summary>
    /// The order completed with this payment, and its customer was granted points: the capture leaves
    /// the list and the customer joins the points list, in one request. A capture unlisted already (a
    /// retried step) only lists the customer.
    /// </summary>
    public async Task SettledByOrderAsync(string orderId, string? paymentId, string customerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        var customer = CustomerRow(customerId);
        if (paymentId is { Length: > 0 })
        {
            try
            {
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition, CaptureKey(orderId, paymentId)), ETag.All),
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, customer),
                ], ct);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // Not listed (any more): list the customer alone.
            }
        }
        await table.UpsertEntityAsync(customer, TableUpdateMode.Replace, ct);
    }

    /// <summary>A customer's points moved (a grant outside the settle step, a reversal): the monitor checks their balance next run.</summary>
    public async Task PointsMovedAsync(string customerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        await table.UpsertEntityAsync(CustomerRow(customerId), TableUpdateMode.Replace, ct);
    }

    /// <summary>True when the capture is on the list (one point read).</summary>
    public async Task<bool> IsWatchedAsync(string orderId, string paymentId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        return (await table.GetEntityIfExistsAsync<TableEntity>(Partition, CaptureKey(orderId, paymentId), select: ["RowKey"], cancellationToken: ct)).HasValue;
    }

    public async Task UnwatchCaptureAsync(string orderId, string paymentId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        try
        {
            await table.DeleteEntityAsync(Partition, CaptureKey(orderId, paymentId), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Unlisted already.
        }
    }

    // No id holds a '~' (OrderRequest.IsId), so "{prefix}~" ends the range of one prefix.

    /// <summary>Every capture on the list: a key-range read of the list's partition.</summary>
    public async IAsyncEnumerable<WatchedCapture> ListCapturesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {CapturePrefix} and RowKey lt {CapturePrefix + "~"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            yield return new WatchedCapture(row.GetString("OrderId") ?? "", row.GetString("Provider") ?? "", row.GetString("PaymentId") ?? "",
                row.GetInt64("AmountMinor") ?? 0, row.GetString("Currency") ?? "", row.GetDateTimeOffset("CapturedAt") ?? DateTimeOffset.MinValue);
        }
    }

    /// <summary>Every customer whose points moved since the monitor last cleared them.</summary>
    public async IAsyncEnumerable<WatchedCustomer> ListCustomersAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {PointsPrefix} and RowKey lt {PointsPrefix + "~"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            yield return new WatchedCustomer(row.GetString("CustomerId") ?? "", row.ETag);
        }
    }

    /// <summary>
    /// Clears a customer checked and found right, unless their points moved again since the list was
    /// read (the row's ETag changed): then it stays for the next run.
    /// </summary>
    public async Task ForgetCustomerAsync(WatchedCustomer customer, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyWatch, ct);
        try
        {
            await table.DeleteEntityAsync(Partition, PointsPrefix + customer.CustomerId, customer.ETag, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or touched again: checked next run.
        }
    }

    private TableEntity CustomerRow(string customerId) =>
        new(Partition, PointsPrefix + customerId) { ["CustomerId"] = customerId, ["MovedAt"] = clock.GetUtcNow() };

    private static string CaptureKey(string orderId, string paymentId) => $"{CapturePrefix}{orderId}~{paymentId}";
}

/// <summary>A capture on the monitor's list: not known to be settled yet.</summary>
public sealed record WatchedCapture(string OrderId, string Provider, string PaymentId, long AmountMinor, string Currency, DateTimeOffset CapturedAt);

/// <summary>A customer on the monitor's list, with the row's ETag (cleared only if unchanged since read).</summary>
public sealed record WatchedCustomer(string CustomerId, ETag ETag);
