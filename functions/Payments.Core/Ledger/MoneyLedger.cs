using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Ledger;

/// <summary>
/// The money ledger: one row per capture, refund and dispute of an order (partition = order id), in the
/// charge's currency, with its state to the end and every observation that moved it. Every path that
/// learns about money writes here; the refund tracker, the money monitor and the console read it.
/// Refunds not final yet are also listed in a small index (<see cref="TableNames.MoneyOpen"/>), which is
/// what the tracker reads: its size is the number of refunds in flight, never the ledger's history;
/// captures not settled yet are listed in <see cref="Watch"/>, which is what the money monitor reads.
/// </summary>
public sealed class MoneyLedger(PaymentsStorage storage, TimeProvider clock)
{
    /// <summary>The money monitor's list of captures not settled yet (and of customers whose points moved).</summary>
    public MoneyWatch Watch { get; } = new(storage, clock);

    private const string OpenPartition = "refund";
    private const int MaxObservations = 20;

    // '~' joins the parts of a key: unreserved in a URL (a ':' is escaped on the way, and a proxy that
    // unescapes the path breaks the request's signature), and in no id (OrderRequest.IsId).
    public static string CaptureKey(string paymentId) => $"{MoneyKinds.Capture}~{paymentId}";

    public static string RefundKey(string key) => $"{MoneyKinds.Refund}~{key}";

    public static string DisputeKey(string disputeId) => $"{MoneyKinds.Dispute}~{disputeId}";

    /// <summary>The reason every dispute row carries: the points' reversal cause reads <c>dispute:chargeback</c>.</summary>
    public const string DisputeReason = "chargeback";

    /// <summary>The key of a refund someone else started, known by the gateway's refund id.</summary>
    private static string GatewayRefundKey(string gatewayRefundId) => $"gw-{gatewayRefundId}";

    /// <summary>
    /// Records a capture once (later observations of the same capture change nothing), and which order
    /// its payment id belongs to, for refund notices that name no order.
    /// </summary>
    public async Task RecordCaptureAsync(string orderId, string provider, string paymentId, long amountMinor, string currency, string source, CancellationToken ct = default)
    {
        // Listed first: a capture recorded but not listed would never be watched to its settlement.
        await Watch.WatchCaptureAsync(orderId, provider, paymentId, amountMinor, currency, ct);
        var refs = await storage.TableAsync(TableNames.MoneyRefs, ct);
        await refs.UpsertEntityAsync(new TableEntity(provider, PaymentRef(paymentId)) { ["OrderId"] = orderId }, TableUpdateMode.Replace, ct);
        var table = await storage.TableAsync(TableNames.Money, ct);
        var now = clock.GetUtcNow();
        try
        {
            await table.AddEntityAsync(Row(orderId, CaptureKey(paymentId), MoneyKinds.Capture, provider, paymentId, amountMinor, currency,
                nameof(RefundState.Succeeded), "customer", "payment", null, now, [new MoneyObservation(now, source, nameof(RefundState.Succeeded))]), ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded already, by this path or another.
        }
    }

    /// <summary>
    /// Records a refund about to be asked of the gateway under <paramref name="key"/> (its idempotency key),
    /// listed as open until it is final. False when the ledger has it already (a retried activity, a second path).
    /// </summary>
    public async Task<bool> RequestRefundAsync(RefundRequest refund, string key, string initiator, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        // Listed first: a refund recorded but not listed would never be followed to its end.
        await ListOpenAsync(refund.OrderId, key, refund.Provider, now, ct);
        var table = await storage.TableAsync(TableNames.Money, ct);
        try
        {
            var row = Row(refund.OrderId, RefundKey(key), MoneyKinds.Refund, refund.Provider, refund.PaymentId, refund.AmountMinor, refund.Currency,
                nameof(RefundState.Requested), initiator, refund.Reason, null, now, [new MoneyObservation(now, "request", nameof(RefundState.Requested))]);
            row["Attempt"] = refund.Attempt;
            row["RequestKey"] = refund.RequestKey;
            await table.AddEntityAsync(row, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Records a refund the gateway reports that the pipeline did not ask for (a dashboard or merchant
    /// console refund, seen by a notice, a query or the statement), keyed by the gateway's refund id. The
    /// row recorded, or null when it was recorded already (the observation is then applied to the row as it stands).
    /// </summary>
    public async Task<MoneyMovement?> RecordExternalRefundAsync(string orderId, string provider, string paymentId, string gatewayRefundId, long amountMinor, string currency,
        RefundState state, string source, string initiator = MoneyInitiators.Gateway, CancellationToken ct = default)
    {
        var key = GatewayRefundKey(gatewayRefundId);
        var now = clock.GetUtcNow();
        if (!state.IsFinal())
        {
            await ListOpenAsync(orderId, key, provider, now, ct);
        }
        var table = await storage.TableAsync(TableNames.Money, ct);
        try
        {
            var row = Row(orderId, RefundKey(key), MoneyKinds.Refund, provider, paymentId, amountMinor, currency,
                state.ToString(), initiator, "external", gatewayRefundId, now, [new MoneyObservation(now, source, state.ToString())]);
            await table.AddEntityAsync(row, ct);
            var recorded = ToMovement(row);
            if (state == RefundState.Succeeded)
            {
                await UnwatchIfRefundedAsync(recorded, ct);
            }
            return recorded;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            await ObserveRefundAsync(orderId, key, state, source, gatewayRefundId, null, ct);
            return null;
        }
    }

    /// <summary>
    /// Applies what a path learnt about a refund: the state moves forward only (a final state is final;
    /// a contradicting observation is kept beside it, for the operator), the gateway's refund id is
    /// remembered, and a final refund leaves the open list. Null when the ledger has no such refund.
    /// </summary>
    public async Task<MoneyObservationResult?> ObserveRefundAsync(string orderId, string key, RefundState state, string source, string? gatewayRefundId = null,
        string? detail = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Money, ct);
        var result = await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(orderId, RefundKey(key), cancellationToken: token);
            if (!found.HasValue)
            {
                return null;
            }
            var row = found.Value!;
            var before = Enum.TryParse<RefundState>(row.GetString("State"), out var s) ? s : RefundState.Requested;
            var moved = before.CanMove(state);
            var observations = Observations(row);
            if (!moved && observations.Count > 0 && observations[^1].State == state.ToString() && observations[^1].Source == source)
            {
                return new MoneyObservationResult(ToMovement(row), before, Moved: false); // the same word again: nothing to keep
            }
            var now = clock.GetUtcNow();
            observations.Add(new MoneyObservation(now, source, state.ToString(), detail is { Length: > 200 } ? detail[..200] : detail));
            row["UpdatedAt"] = now;
            row["Observations"] = JsonSerializer.Serialize(observations.TakeLast(MaxObservations));
            if (moved)
            {
                row["State"] = state.ToString();
            }
            if (gatewayRefundId is { Length: > 0 } && row.GetString("GatewayRefundId") is null or "")
            {
                row["GatewayRefundId"] = gatewayRefundId;
            }
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, token);
            return new MoneyObservationResult(ToMovement(row), before, moved);
        }, ct);
        if (result is { Movement.RefundState: { } after } && after.IsFinal())
        {
            await UnlistOpenAsync(orderId, key, ct);
        }
        if (result is { Moved: true, Movement: { RefundState: RefundState.Succeeded } paid })
        {
            await UnwatchIfRefundedAsync(paid, ct);
        }
        return result;
    }

    /// <summary>
    /// A refund paid: its capture is settled once the refunds paid cover it. One point read of the
    /// watch list when the capture is not on it (a completed order's partial refund), else the partition.
    /// </summary>
    private async Task UnwatchIfRefundedAsync(MoneyMovement refund, CancellationToken ct)
    {
        if (!await Watch.IsWatchedAsync(refund.OrderId, refund.PaymentId, ct))
        {
            return;
        }
        var movements = await ListAsync(refund.OrderId, ct);
        var captured = movements.FirstOrDefault(m => m.Kind == MoneyKinds.Capture && m.PaymentId == refund.PaymentId)?.AmountMinor;
        var paidBack = movements.Where(m => m.PaymentId == refund.PaymentId && m.TookBack).Sum(m => m.AmountMinor);
        if (captured is { } amount && paidBack >= amount)
        {
            await Watch.UnwatchCaptureAsync(refund.OrderId, refund.PaymentId, ct);
        }
    }

    /// <summary>
    /// Records what the gateway said about a dispute of an order's payment, keyed by the gateway's dispute
    /// id: the first word of a dispute adds its row (opened, or its outcome when that is the first word
    /// heard), a later outcome moves it (<see cref="DisputeStates.CanMove"/>), and every word is kept as an
    /// observation (<paramref name="observed"/>: the outcome, or what happened to the funds), each once: the
    /// same observation with the same <paramref name="detail"/> again changes nothing.
    /// </summary>
    public async Task<DisputeObservationResult> ObserveDisputeAsync(string orderId, string provider, string paymentId, string disputeId, long amountMinor, string currency,
        DisputeState? outcome, string observed, string source, string detail, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Money, ct);
        var key = DisputeKey(disputeId);
        var now = clock.GetUtcNow();
        var observation = new MoneyObservation(now, source, observed, detail is { Length: > 200 } ? detail[..200] : detail);
        try
        {
            var row = Row(orderId, key, MoneyKinds.Dispute, provider, paymentId, amountMinor, currency, (outcome ?? DisputeState.Opened).ToString(),
                MoneyInitiators.Dispute, DisputeReason, null, now, [observation]);
            await table.AddEntityAsync(row, ct);
            return new DisputeObservationResult(ToMovement(row), Before: null, Moved: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Known already: the observation is applied to the row as it stands.
        }
        return await ETagRetry.Pipeline.ExecuteAsync(async token =>
        {
            var row = (await table.GetEntityAsync<TableEntity>(orderId, key, cancellationToken: token)).Value;
            var before = Enum.TryParse<DisputeState>(row.GetString("State"), out var s) ? s : DisputeState.Opened;
            var observations = Observations(row);
            if (observations.Any(o => o.Source == observation.Source && o.State == observation.State && o.Detail == observation.Detail))
            {
                return new DisputeObservationResult(ToMovement(row), before, Moved: false);
            }
            var moved = outcome is { } to && before.CanMove(to);
            observations.Add(observation);
            row["UpdatedAt"] = now;
            row["Observations"] = JsonSerializer.Serialize(observations.TakeLast(MaxObservations));
            if (moved)
            {
                row["State"] = outcome!.Value.ToString();
            }
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, token);
            return new DisputeObservationResult(ToMovement(row), before, moved);
        }, ct);
    }

    /// <summary>The order a captured payment belongs to, or null when the ledger has no capture of it.</summary>
    public async Task<string?> FindOrderAsync(string provider, string paymentId, CancellationToken ct = default)
    {
        if (!OrderRequest.IsId(paymentId))
        {
            return null;
        }
        var refs = await storage.TableAsync(TableNames.MoneyRefs, ct);
        var row = await refs.GetEntityIfExistsAsync<TableEntity>(provider, PaymentRef(paymentId), select: ["OrderId"], cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("OrderId") : null;
    }

    private static string PaymentRef(string paymentId) => $"pay~{paymentId}";

    /// <summary>The refund of an order recorded under <paramref name="key"/>, or the one the gateway knows by <paramref name="gatewayRefundId"/>.</summary>
    public async Task<MoneyMovement?> FindRefundAsync(string orderId, string? key, string? gatewayRefundId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Money, ct);
        if (key is { Length: > 0 })
        {
            var byKey = await table.GetEntityIfExistsAsync<TableEntity>(orderId, RefundKey(key), cancellationToken: ct);
            if (byKey.HasValue)
            {
                return ToMovement(byKey.Value!);
            }
        }
        if (gatewayRefundId is not { Length: > 0 })
        {
            return null;
        }
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{Quote(orderId)}' and GatewayRefundId eq '{Quote(gatewayRefundId)}'", cancellationToken: ct))
        {
            return ToMovement(row);
        }
        return null;
    }

    /// <summary>Every movement of an order's money, oldest first.</summary>
    public async Task<IReadOnlyList<MoneyMovement>> ListAsync(string orderId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Money, ct);
        var movements = new List<MoneyMovement>();
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{Quote(orderId)}'", cancellationToken: ct))
        {
            movements.Add(ToMovement(row));
        }
        return [.. movements.OrderBy(m => m.CreatedAt)];
    }

    /// <summary>Every movement of every order (the demo's and the tests' invariant checker; never a timer's read).</summary>
    public async IAsyncEnumerable<MoneyMovement> ListAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.Money, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            yield return ToMovement(row);
        }
    }

    /// <summary>Refunds not final yet whose next check is due by <paramref name="dueBy"/>: the open list only.</summary>
    public async IAsyncEnumerable<OpenRefund> ListOpenRefundsAsync(DateTimeOffset dueBy, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyOpen, ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {OpenPartition} and NextCheckAt le {dueBy}"), cancellationToken: ct))
        {
            yield return new OpenRefund(row.GetString("OrderId") ?? "", row.GetString("Key") ?? "", row.GetString("Provider") ?? "",
                row.GetDateTimeOffset("ListedAt") ?? dueBy, row.GetInt32("Checks") ?? 0);
        }
    }

    /// <summary>When the tracker asks about an open refund next, and how many times it has asked.</summary>
    public async Task RescheduleAsync(OpenRefund refund, DateTimeOffset nextCheckAt, bool asked = true, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableNames.MoneyOpen, ct);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(OpenPartition, OpenKey(refund.OrderId, refund.Key))
            {
                ["NextCheckAt"] = nextCheckAt,
                ["Checks"] = asked ? refund.Checks + 1 : refund.Checks,
            }, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Final meanwhile (a notice came): nothing left to schedule.
        }
    }

    private async Task ListOpenAsync(string orderId, string key, string provider, DateTimeOffset now, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.MoneyOpen, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(OpenPartition, OpenKey(orderId, key))
            {
                ["OrderId"] = orderId,
                ["Key"] = key,
                ["Provider"] = provider,
                ["ListedAt"] = now,
                ["NextCheckAt"] = now,
                ["Checks"] = 0,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Listed already: a retried request keeps its schedule.
        }
    }

    private async Task UnlistOpenAsync(string orderId, string key, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.MoneyOpen, ct);
        try
        {
            await table.DeleteEntityAsync(OpenPartition, OpenKey(orderId, key), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Unlisted already.
        }
    }

    private static string OpenKey(string orderId, string key) => $"{orderId}~{key}";

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    private static TableEntity Row(string orderId, string rowKey, string kind, string provider, string paymentId, long amountMinor, string currency,
        string state, string initiator, string reason, string? gatewayRefundId, DateTimeOffset now, IReadOnlyList<MoneyObservation> observations) =>
        new(orderId, rowKey)
        {
            ["Key"] = rowKey[(rowKey.IndexOf('~', StringComparison.Ordinal) + 1)..],
            ["Kind"] = kind,
            ["Provider"] = provider,
            ["PaymentId"] = paymentId,
            ["AmountMinor"] = amountMinor,
            ["Currency"] = currency,
            ["State"] = state,
            ["Initiator"] = initiator,
            ["Reason"] = reason,
            ["GatewayRefundId"] = gatewayRefundId,
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
            ["Observations"] = JsonSerializer.Serialize(observations),
        };

    private static List<MoneyObservation> Observations(TableEntity row) =>
        row.GetString("Observations") is { Length: > 0 } json ? JsonSerializer.Deserialize<List<MoneyObservation>>(json) ?? [] : [];

    private static MoneyMovement ToMovement(TableEntity row) =>
        new(
            row.PartitionKey,
            row.GetString("Kind") ?? "",
            row.GetString("Key") ?? "",
            row.GetString("Provider") ?? "",
            row.GetString("PaymentId") ?? "",
            row.GetInt64("AmountMinor") ?? 0,
            row.GetString("Currency") ?? "",
            row.GetString("State") ?? "",
            row.GetString("Initiator") ?? "",
            row.GetString("Reason") ?? "",
            row.GetString("GatewayRefundId") is { Length: > 0 } id ? id : null,
            row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
            row.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
            Observations(row),
            row.GetInt32("Attempt") ?? 0,
            row.GetString("RequestKey") is { Length: > 0 } requestKey ? requestKey : null);
}

/// <summary>What an observation did to a refund: its row after, the state before, and whether the state moved.</summary>
public sealed record MoneyObservationResult(MoneyMovement Movement, RefundState Before, bool Moved);

/// <summary>What an observation did to a dispute: its row after, the state before (null: the row is new), and whether the state moved (or the row was added).</summary>
public sealed record DisputeObservationResult(MoneyMovement Movement, DisputeState? Before, bool Moved);

/// <summary>A refund on the open list: not final yet, followed by the refund tracker.</summary>
public sealed record OpenRefund(string OrderId, string Key, string Provider, DateTimeOffset ListedAt, int Checks);
