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
    public async Task<bool> TryRegisterAsync(OrderRequest order, Guid registrationId, CancellationToken ct = default) =>
        await TryRegisterRowAsync(order, registrationId, ct) is not null;

    /// <summary>
    /// <see cref="TryRegisterAsync"/>, answering with the ETag of the row this registration wrote (null
    /// when another registration's row stands): the saga's first record starts from it
    /// (<see cref="CarryRegistered"/>) instead of reading the row back.
    /// </summary>
    public async Task<string?> TryRegisterRowAsync(OrderRequest order, Guid registrationId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var now = clock.GetUtcNow();
        await IndexAwaitingPaymentAsync(order.OrderId, now, registrationId, ct);
        try
        {
            var added = await table.AddEntityAsync(new TableEntity(order.OrderId, RowKey)
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
            return added.Headers.ETag?.ToString() ?? "";
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(order.OrderId, RowKey, select: ["RegistrationId"], cancellationToken: ct);
            var ours = existing.HasValue && existing.Value!.GetGuid("RegistrationId") == registrationId;
            if (!ours)
            {
                await UnindexAwaitingPaymentAsync(order.OrderId, now, registrationId, ct); // the first registration's index row stands
                return null;
            }
            return existing.Value!.ETag.ToString();
        }
    }

    /// <summary>
    /// Writes a saga step's status. The read model never goes backwards and no terminal state overwrites
    /// another: a change the lifecycle does not allow from the row's state (<see cref="OrderLifecycle"/>: a
    /// paused worker's stale copy of "Paid" landing after "Completed", a crashed saga's refund landing on a
    /// completed order) is refused, decided against the row's current ETag so a concurrent write cannot
    /// slip between the check and the write.
    /// </summary>
    public Task<RecordResult> ApplyAsync(OrderStateChange change, CancellationToken ct = default) => ApplyAsync(change, carried: null, ct);

    /// <summary>
    /// For several changes of one order written one after another by the same activity (a folded
    /// saga step): each change after the first starts from the row as the previous one left it
    /// (<see cref="OrderRowCarry"/>), not from a read.
    /// </summary>
    public OrderRowCarry Carry(string orderId) => new(orderId);

    /// <summary>
    /// A carrier that starts from the row as its registration wrote it (<paramref name="registeredETag"/>,
    /// from <see cref="TryRegisterRowAsync"/>: awaiting payment, no capture), so the saga's first record
    /// writes without reading. A row changed since (a recovery path's note, a re-run of the step) fails
    /// that write with 412, and the change is then decided on the row read afresh.
    /// </summary>
    public OrderRowCarry CarryRegistered(string orderId, string? registeredETag)
    {
        var carry = new OrderRowCarry(orderId);
        if (!string.IsNullOrEmpty(registeredETag))
        {
            carry.Keep(new TableEntity(orderId, RowKey) { ["Status"] = nameof(OrderStatus.AwaitingPayment), ETag = new ETag(registeredETag) });
        }
        return carry;
    }

    /// <summary>
    /// <see cref="ApplyAsync(OrderStateChange, CancellationToken)"/>, starting from the row <paramref name="carried"/>
    /// holds when it holds one: the check and the write are decided against that copy's ETag, so a
    /// row changed meanwhile (a recovery path's note, another step) fails the write with 412 and the
    /// retry reads it as usual. The capture index is not written again when it already says what this
    /// change would write (same key, same status, no new amount): that merge would change nothing.
    /// </summary>
    public async Task<RecordResult> ApplyAsync(OrderStateChange change, OrderRowCarry? carried, CancellationToken ct = default)
    {
        if (carried is not null && carried.OrderId != change.OrderId)
        {
            throw new ArgumentException($"The row carried is order {carried.OrderId}'s, not {change.OrderId}'s.", nameof(carried));
        }
        var table = await storage.TableAsync(TableNames.Orders, ct);
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var known = carried?.Take();
            if (known is not null && change.PaidAmountMinor is not null && known.GetString("CaptureKey") is null && known.GetString("PaymentId") is null)
            {
                known = null; // a registered copy knows no payment id to key the capture by: read the row
            }
            var current = known ?? await ReadForChangeAsync(table, change.OrderId, token);
            if (current is not null && Enum.TryParse<OrderStatus>(current.GetString("Status"), out var shown) && !OrderLifecycle.Allows(shown, change.Status, change.Cause))
            {
                return RecordResult.Stale;
            }
            var patch = new TableEntity(change.OrderId, RowKey)
            {
                ["Status"] = change.Status.ToString(),
                ["Reason"] = change.Reason,
                ["Step"] = change.Step,
                ["UpdatedAt"] = clock.GetUtcNow(),
                // Only a saga step writes through here, so this marks the saga as started (the
                // registration writes the row before it starts the saga): dispatch's fast path reads it.
                [SagaRecordedColumn] = true,
            };
            if (change.PaidAmountMinor is { } paid)
            {
                patch["PaidAmountMinor"] = paid;
                patch["PaidCurrency"] = change.PaidCurrency;
            }
            // A captured order is indexed by the hour its payment was recorded (once; later states update that row).
            var captureKey = current?.GetString("CaptureKey");
            if (captureKey is null && change.PaidAmountMinor is not null && current is not null)
            {
                captureKey = CaptureKey(clock.GetUtcNow(), current.GetString("PaymentId") ?? "");
                patch["CaptureKey"] = captureKey;
            }
            if (current is null)
            {
                await table.AddEntityAsync(patch, token);
                return RecordResult.Recorded; // a row without the registration's columns: nothing to carry or index
            }
            var written = await table.UpdateEntityAsync(patch, current.ETag, TableUpdateMode.Merge, token);
            var indexed = known?.GetString(IndexedColumn);
            var indexAs = $"{captureKey}|{change.Status}";
            if (captureKey is not null && (indexAs != indexed || change.PaidAmountMinor is not null))
            {
                await IndexCaptureAsync(captureKey, change.OrderId, current, change.Status, change.PaidAmountMinor, token);
                indexed = indexAs;
            }
            // What the row now holds, for the carrier's next change: the columns read plus this write's.
            if (written.Headers.ETag is not { } etag)
            {
                return RecordResult.Recorded;
            }
            carried?.Keep(new TableEntity(change.OrderId, RowKey)
            {
                ["Status"] = change.Status.ToString(),
                ["PaymentId"] = current.GetString("PaymentId"),
                ["Provider"] = current.GetString("Provider"),
                ["Currency"] = current.GetString("Currency"),
                ["CaptureKey"] = captureKey,
                [IndexedColumn] = indexed,
                ETag = etag,
            });
            return RecordResult.Recorded;
        }, ct);
    }

    // Not a column of the table: the carried copy's note of what the capture index was last written with.
    private const string IndexedColumn = "~Indexed";

    private static async Task<TableEntity?> ReadForChangeAsync(TableClient table, string orderId, CancellationToken ct)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(orderId, RowKey, select: ["Status", "PaymentId", "Provider", "Currency", "CaptureKey"], cancellationToken: ct);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>How far along the saga a status is: awaiting payment, paid, then any terminal state.</summary>
    /// <summary>Notes that a recovery path handed this order's payment to its saga, so the next run does not again.</summary>
    public async Task MarkRecoveryRaisedAsync(string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        await table.UpsertEntityAsync(new TableEntity(orderId, RowKey) { ["RecoveryRaisedAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, ct);
    }

    private const string SagaRecordedColumn = "SagaRecorded";

    /// <summary>One point read of the three columns dispatch decides by; null when the order is unknown.</summary>
    public async Task<OrderProgress?> GetProgressAsync(string orderId, CancellationToken ct = default)
    {
        if (!OrderRequest.IsId(orderId))
        {
            return null; // see GetAsync
        }
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(orderId, RowKey, select: ["Status", "Provider", "PaymentId", SagaRecordedColumn], cancellationToken: ct);
        if (!row.HasValue || !Enum.TryParse<OrderStatus>(row.Value!.GetString("Status"), out var status))
        {
            return null;
        }
        return new OrderProgress(status, row.Value.GetString("Provider") ?? "", row.Value.GetString("PaymentId") ?? "", row.Value.GetBoolean(SagaRecordedColumn) == true);
    }

    /// <summary>
    /// Keeps the latest active query at the gateway, its answer and how many the order has had on the
    /// order's row: the operator's timeline shows them and the reconciler spaces the next query by them.
    /// </summary>
    public async Task NoteActiveQueryAsync(string orderId, string answer, int queriesSoFar, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        await table.UpdateEntityAsync(new TableEntity(orderId, RowKey)
        {
            ["LastQueryAt"] = clock.GetUtcNow(),
            ["LastQueryAnswer"] = answer,
            [ActiveQueriesColumn] = queriesSoFar,
        }, ETag.All, TableUpdateMode.Merge, ct);
    }

    private const string ActiveQueriesColumn = "ActiveQueries";

    /// <summary>
    /// Orders whose <paramref name="column"/> (<c>PaymentId</c> or <c>CustomerId</c>) equals
    /// <paramref name="value"/>: a filtered read of the read model (no index by either), for the
    /// operator console's search, never for the pipeline's own paths.
    /// </summary>
    public async IAsyncEnumerable<OrderRecord> FindAsync(string column, string value, int take, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        if (column is not ("PaymentId" or "CustomerId"))
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, "Search by PaymentId or CustomerId.");
        }
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var found = 0;
        await foreach (var row in table.QueryAsync<TableEntity>($"{column} eq '{value.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken: ct))
        {
            yield return ToRecord(row);
            if (++found == take)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The order, or null when there is none. A value the order API would refuse as an id
    /// (<see cref="OrderRequest.IsId"/>) names no order, and is not sent to storage, where a key with
    /// '/', '#', '?' or a control character fails the request: what a dead letter or a report stored
    /// before every entry checked its ids reads as an unknown order, not as an error.
    /// </summary>
    public async Task<OrderRecord?> GetAsync(string orderId, CancellationToken ct = default)
    {
        if (!OrderRequest.IsId(orderId))
        {
            return null;
        }
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

    /// <summary>How many orders the read model holds in each state: a read of the status column of every row (the console caches it, <c>LiveCountsCache</c>).</summary>
    public async Task<IReadOnlyDictionary<OrderStatus, int>> CountByStatusAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var counts = new Dictionary<OrderStatus, int>();
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["Status"], cancellationToken: ct))
        {
            if (Enum.TryParse<OrderStatus>(row.GetString("Status"), out var status))
            {
                counts[status] = counts.GetValueOrDefault(status) + 1;
            }
        }
        return counts;
    }

    /// <summary>Index rows read by <see cref="ListAwaitingPaymentAsync"/> since start (for tests and diagnostics).</summary>
    public long AwaitingIndexRowsRead => Interlocked.Read(ref awaitingIndexRowsRead);

    private long awaitingIndexRowsRead;

    /// <summary>
    /// Orders still awaiting payment that were registered before <paramref name="registeredBefore"/>,
    /// oldest first: a key-range read of the awaiting-payment index and one point read per due order,
    /// never a scan of the orders table. An index row whose order has moved on (or never got its row)
    /// is deleted as it is read, so each row is read at most once after it falls due.
    /// </summary>
    public async IAsyncEnumerable<OrderRecord> ListAwaitingPaymentAsync(DateTimeOffset registeredBefore, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var index = await storage.TableAsync(TableNames.OrdersAwaitingPayment, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AwaitingPartition} and RowKey lt {Ticks(registeredBefore)}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in index.QueryAsync<TableEntity>(filter, select: ["RowKey", "OrderId"], cancellationToken: ct))
        {
            Interlocked.Increment(ref awaitingIndexRowsRead);
            var orderId = entry.GetString("OrderId");
            if (seen.Add(orderId) && await GetAsync(orderId, ct) is { Status: OrderStatus.AwaitingPayment } order)
            {
                yield return order;
                continue;
            }
            // Settled, never written, or a second row for one order: nothing will need it again.
            await index.DeleteEntityAsync(AwaitingPartition, entry.RowKey, ETag.All, ct);
        }
    }

    /// <summary>
    /// One-off upgrade: indexes every order awaiting payment (a scan of the orders table, for an
    /// operator to run once after deploying). Idempotent: the key is made of the row's own values.
    /// </summary>
    public async Task<int> ReindexAwaitingPaymentAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var indexed = 0;
        var filter = TableClient.CreateQueryFilter($"Status eq {nameof(OrderStatus.AwaitingPayment)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RegisteredAt", "RegistrationId"], cancellationToken: ct))
        {
            await IndexAwaitingPaymentAsync(row.PartitionKey, row.GetDateTimeOffset("RegisteredAt") ?? clock.GetUtcNow(), row.GetGuid("RegistrationId") ?? Guid.Empty, ct);
            indexed++;
        }
        return indexed;
    }

    // Written before the order row, so no order can await payment unindexed; a crash in between leaves
    // an index row without its order, which the reader drops.
    private async Task IndexAwaitingPaymentAsync(string orderId, DateTimeOffset registeredAt, Guid registrationId, CancellationToken ct)
    {
        var index = await storage.TableAsync(TableNames.OrdersAwaitingPayment, ct);
        await index.UpsertEntityAsync(new TableEntity(AwaitingPartition, AwaitingKey(orderId, registeredAt, registrationId)) { ["OrderId"] = orderId }, TableUpdateMode.Replace, ct);
    }

    private async Task UnindexAwaitingPaymentAsync(string orderId, DateTimeOffset registeredAt, Guid registrationId, CancellationToken ct)
    {
        var index = await storage.TableAsync(TableNames.OrdersAwaitingPayment, ct);
        await index.DeleteEntityAsync(AwaitingPartition, AwaitingKey(orderId, registeredAt, registrationId), ETag.All, ct);
    }

    /// <summary>Capture index rows read by <see cref="ListCapturedAsync"/> since start (for tests and diagnostics).</summary>
    public long CaptureIndexRowsRead => Interlocked.Read(ref captureIndexRowsRead);

    private long captureIndexRowsRead;

    /// <summary>
    /// Every order whose capture was recorded in [<paramref name="from"/>, <paramref name="to"/>), with
    /// what reconciling a statement line needs: one key-range query per hour partition, never a read
    /// per order. A payment recorded twice (a retried step) may come twice; the caller keys by payment id.
    /// </summary>
    public async IAsyncEnumerable<LedgerPayment> ListCapturedAsync(DateTimeOffset from, DateTimeOffset to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var index = await storage.TableAsync(TableNames.OrdersByCapture, ct);
        for (var hour = Hour(from); hour < to; hour = hour.AddHours(1))
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {HourPartition(hour)} and RowKey ge {Ticks(from > hour ? from : hour)} and RowKey lt {Ticks(to < hour.AddHours(1) ? to : hour.AddHours(1))}");
            await foreach (var row in index.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                Interlocked.Increment(ref captureIndexRowsRead);
                yield return new LedgerPayment(
                    row.GetString("OrderId") ?? "",
                    row.GetString("PaymentId") ?? "",
                    row.GetString("Provider") ?? "",
                    Enum.Parse<OrderStatus>(row.GetString("Status")),
                    row.GetInt64("PaidAmountMinor"),
                    row.GetString("Currency") ?? "");
            }
        }
    }

    /// <summary>
    /// One-off upgrade: indexes captured orders recorded before the capture index existed, at the
    /// time of their last change (a scan of the orders table, for an operator to run once after
    /// deploying). Until then the statement run finds them by point read. Idempotent.
    /// </summary>
    public async Task<int> ReindexCapturesAsync(CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Orders, ct);
        var indexed = 0;
        var filter = TableClient.CreateQueryFilter($"PaidAmountMinor ge {long.MinValue}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (row.GetString("CaptureKey") is not null || row.GetString("PaymentId") is not { } paymentId)
            {
                continue;
            }
            var key = CaptureKey(row.GetDateTimeOffset("UpdatedAt") ?? clock.GetUtcNow(), paymentId);
            await IndexCaptureAsync(key, row.PartitionKey, row, Enum.Parse<OrderStatus>(row.GetString("Status")), row.GetInt64("PaidAmountMinor"), ct);
            await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, RowKey) { ["CaptureKey"] = key }, row.ETag, TableUpdateMode.Merge, ct);
            indexed++;
        }
        return indexed;
    }

    // Written after the order row: a crash in between leaves the order unindexed, which costs the
    // statement run one point read for it, never a wrong verdict (the order row decides every action).
    private async Task IndexCaptureAsync(string captureKey, string orderId, TableEntity order, OrderStatus status, long? paidAmountMinor, CancellationToken ct)
    {
        var index = await storage.TableAsync(TableNames.OrdersByCapture, ct);
        var separator = captureKey.IndexOf('/', StringComparison.Ordinal);
        var row = new TableEntity(captureKey[..separator], captureKey[(separator + 1)..])
        {
            ["OrderId"] = orderId,
            ["PaymentId"] = order.GetString("PaymentId"),
            ["Provider"] = order.GetString("Provider"),
            ["Currency"] = order.GetString("Currency"),
            ["Status"] = status.ToString(),
        };
        if (paidAmountMinor is { } paid)
        {
            row["PaidAmountMinor"] = paid;
        }
        await index.UpsertEntityAsync(row, TableUpdateMode.Merge, ct);
    }

    private static DateTimeOffset Hour(DateTimeOffset time) => new(time.UtcDateTime.Date.AddHours(time.UtcDateTime.Hour), TimeSpan.Zero);

    private static string HourPartition(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH", System.Globalization.CultureInfo.InvariantCulture);

    // "{hour partition}/{ticks}|{payment id}": range-readable by time within the hour, unique per payment.
    private static string CaptureKey(DateTimeOffset recordedAt, string paymentId) =>
        $"{HourPartition(Hour(recordedAt))}/{Ticks(recordedAt)}|{Uri.EscapeDataString(paymentId)}";

    private const string AwaitingPartition = "AwaitingPayment";

    private static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    // The registration id keeps two registrations of one order in the same tick apart.
    private static string AwaitingKey(string orderId, DateTimeOffset registeredAt, Guid registrationId) => $"{Ticks(registeredAt)}|{orderId}|{registrationId:N}";

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
        row.GetDateTimeOffset("RecoveryRaisedAt"),
        row.GetDateTimeOffset("LastQueryAt"),
        row.GetString("LastQueryAnswer"),
        // A row queried by a build that did not count its queries has had one at least.
        row.GetInt32(ActiveQueriesColumn) ?? (row.GetDateTimeOffset("LastQueryAt") is null ? 0 : 1));
}
