using System.Text.Json;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Operations;

/// <summary>
/// Answers "what happened to this payment" for the console: finds orders by order id, payment id,
/// gateway event id or customer, and merges everything recorded about one into a single timeline —
/// each delivery of each callback and its answer, the saga's steps from the Durable history (with
/// inputs, outputs and retries), retry-lane attempts, dead letters and their fate, active queries,
/// statement findings, refunds with their idempotency keys, parked items and the operators' actions.
/// </summary>
public sealed class TimelineReader(
    OrderBook orders,
    InboxStore inbox,
    DeadLetterStore letters,
    ParkedItems parked,
    MoneyLedger money,
    ReconciliationStore statements,
    AuditTrail audit,
    IOrchestrationHistory histories,
    TimelineArchive archive)
{
    /// <summary>Inputs and outputs are cut to this many characters on the page.</summary>
    public const int MaxPayloadChars = 400;

    private const int MaxHits = 50;

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, CancellationToken ct = default)
    {
        query = query.Trim();
        var hits = new Dictionary<string, SearchHit>(StringComparer.Ordinal);
        void Add(OrderRecord order, string by) => hits.TryAdd(order.OrderId, new SearchHit(order.OrderId, order.PaymentId, order.CustomerId, order.Provider, order.Status.ToString(), by));
        if (query.Length is 0 or > 256)
        {
            return [];
        }
        if (OrderRequest.IsId(query) && await orders.GetAsync(query, ct) is { } byId)
        {
            Add(byId, "order id");
        }
        await foreach (var order in orders.FindAsync("PaymentId", query, MaxHits, ct))
        {
            Add(order, "payment id");
        }
        foreach (var entry in await inbox.FindByEventIdAsync(query, ct))
        {
            var orderId = entry.Event?.OrderId ?? (await FindLetterAsync(entry.Provider, entry.EventId, ct))?.OrderId;
            if (orderId is not null && OrderRequest.IsId(orderId) && await orders.GetAsync(orderId, ct) is { } byEvent)
            {
                Add(byEvent, "gateway event id");
            }
        }
        await foreach (var order in orders.FindAsync("CustomerId", query, MaxHits, ct))
        {
            Add(order, "customer");
        }
        return [.. hits.Values.Take(MaxHits)];
    }

    public async Task<PaymentTimeline?> ReadAsync(string orderId, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (!OrderRequest.IsId(orderId) || await orders.GetAsync(orderId, ct) is not { } order)
        {
            return null;
        }
        var entries = new List<TimelineEntry>
        {
            new(order.RegisteredAt, "order", "Order registered", $"{order.AmountMinor} {order.Currency} via {order.Provider}, payment {order.PaymentId}, customer {order.CustomerId}"),
            new(order.UpdatedAt, "order", $"Read model: {order.Status}", $"step {order.Step}" + (order.Reason is null ? "" : $", reason {order.Reason}") + (order.PaidAmountMinor is { } paid ? $", paid {paid}" : "")),
        };
        if (order.LastQueryAt is { } queriedAt)
        {
            entries.Add(new(queriedAt, "query", $"Active query at the gateway (latest of {order.ActiveQueries})", $"answer: {order.LastQueryAnswer}"));
        }
        // The money ledger: every observation of every capture and refund, with who started it.
        foreach (var movement in await money.ListAsync(orderId, ct))
        {
            foreach (var seen in movement.Observations)
            {
                entries.Add(new(seen.At, "money", $"{movement.Kind} {movement.Key}: {seen.State} ({seen.Source})",
                    $"{movement.AmountMinor} {movement.Currency} of payment {movement.PaymentId} at {movement.Provider}, started by {movement.Initiator} ({movement.Reason})"
                    + (movement.GatewayRefundId is { } id ? $", gateway id {id}" : "") + (seen.Detail is { } d ? $"; {d}" : "")));
            }
        }

        var orderLetters = new List<ParkedLetter>();
        await foreach (var letter in letters.ListAsync(ct))
        {
            if (letter.OrderId == orderId)
            {
                orderLetters.Add(letter);
            }
        }
        await AddCallbacksAsync(entries, orderId, orderLetters, ct);
        foreach (var letter in orderLetters)
        {
            entries.Add(new(letter.ParkedAt, "dead_letter", $"Dead letter parked: {letter.Reason}", $"{letter.Description} (after {letter.Attempts} attempts; id {letter.Id})",
                letter.Provider is null || letter.EventId is null ? null : $"{letter.Provider}/{letter.EventId}"));
            if (letter.ResolvedAt is { } resolvedAt)
            {
                entries.Add(new(resolvedAt, "dead_letter", $"Dead letter {letter.Status.ToString().ToLowerInvariant()} by {letter.ResolvedBy}", letter.Resolution ?? ""));
            }
        }

        await foreach (var item in parked.ListAsync(ct))
        {
            if (item.OrderId != orderId)
            {
                continue;
            }
            var key = item.Refund is { } refund ? $"; refund {refund.AmountMinor} {refund.Currency}, idempotency key {refund.IdempotencyKey()}" : "";
            entries.Add(new(item.ParkedAt, "parked", $"Parked {item.Kind}: {item.Reason}", item.Detail + key + (item.OperatorRetries > 0 ? $"; operator retries {item.OperatorRetries}" : "")));
            if (item.ResolvedAt is { } resolvedAt)
            {
                entries.Add(new(resolvedAt, "parked", $"Parked {item.Kind} resolved by {item.ResolvedBy}", item.Resolution ?? ""));
            }
        }
        foreach (var finding in await statements.ListForOrderAsync(orderId, ct))
        {
            entries.Add(new(finding.Date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), "statement", $"Statement {finding.Date:yyyy-MM-dd}: {finding.Class}",
                $"payment {finding.PaymentId}, {finding.AmountMinor} {finding.Currency}; action {finding.Action}; {finding.Detail}"));
        }
        foreach (var action in await audit.ListAsync(200, orderId, ct))
        {
            entries.Add(new(action.At, "audit", $"{action.Operator} {action.Action} {action.Target}", action.Reason is null ? "" : $"reason: {action.Reason}"));
        }

        var fromHistory = await AddSagasAsync(entries, order, durable, ct);
        return new PaymentTimeline(order, order.Status.ToString(), [.. entries.OrderBy(e => e.At)], fromHistory);
    }

    /// <summary>The raw body of a stored callback, for the timeline's "raw body" on demand (null when purged).</summary>
    public async Task<byte[]?> RawBodyAsync(string provider, string eventId, CancellationToken ct = default) =>
        (await inbox.GetAsync(provider, eventId, ct))?.Body;

    private async Task<ParkedLetter?> FindLetterAsync(string provider, string eventId, CancellationToken ct)
    {
        await foreach (var letter in letters.ListAsync(ct))
        {
            if (letter.Provider == provider && letter.EventId == eventId)
            {
                return letter;
            }
        }
        return null;
    }

    private async Task AddCallbacksAsync(List<TimelineEntry> entries, string orderId, IEnumerable<ParkedLetter> orderLetters, CancellationToken ct)
    {
        var callbacks = new Dictionary<(string, string), InboxEntry>();
        await foreach (var entry in inbox.ListForOrderAsync(orderId, ct))
        {
            callbacks[(entry.Provider, entry.EventId)] = entry;
        }
        // Callbacks parked at intake carry no parsed event (so no order column): their letter names them.
        foreach (var letter in orderLetters)
        {
            if (letter is { Provider: { } provider, EventId: { } eventId } && !callbacks.ContainsKey((provider, eventId))
                && await inbox.GetAsync(provider, eventId, ct) is { } entry)
            {
                callbacks[(provider, eventId)] = entry;
            }
        }
        foreach (var callback in callbacks.Values)
        {
            var what = callback.Event is { } e ? $"{e.Kind} {e.AmountMinor} {e.Currency}" : callback.EventType ?? "event";
            var deliveries = callback.Deliveries is { Count: > 0 } known ? known : [new CallbackDelivery(callback.ReceivedAt, "gateway", "200 stored")];
            foreach (var delivery in deliveries)
            {
                var lane = delivery.Source.StartsWith("retry-lane", StringComparison.Ordinal);
                var duplicate = delivery.Answer.Contains("duplicate", StringComparison.Ordinal);
                entries.Add(new(delivery.At, lane ? "lane" : "callback",
                    $"{(lane ? delivery.Source : duplicate ? "Duplicate delivery" : "Callback delivered")}: {callback.Provider} {what} ({callback.EventId})",
                    lane ? $"answer: {delivery.Answer}" : $"signature verified; answered {delivery.Answer}; duplicate: {(duplicate ? "yes" : "no")}; inbox state now {callback.State}",
                    $"{callback.Provider}/{callback.EventId}"));
            }
        }
    }

    /// <summary>
    /// The order's saga and its refund orchestrations, from the Durable history where the backend
    /// serves it; otherwise each instance's status, custom status and output; for an instance that
    /// retention purged, the lines kept when it was purged. True when history was read.
    /// </summary>
    private async Task<bool> AddSagasAsync(List<TimelineEntry> entries, OrderRecord order, DurableTaskClient durable, CancellationToken ct)
    {
        var fromHistory = false;
        async Task<bool> AddAsync(string instanceId)
        {
            if ((await InstanceAsync(instanceId, durable, ct) ?? await archive.GetAsync(instanceId, ct)) is not { } lines)
            {
                return false;
            }
            fromHistory |= lines.FromHistory;
            entries.AddRange(lines.Entries);
            return true;
        }
        await AddAsync(OrderSaga.InstanceId(order.OrderId));
        await AddAsync(LatePaymentRefund.InstanceId(order.PaymentId));
        // Operator retries are numbered from 1 with no gaps: the first missing one is past the last.
        for (var retry = 1; retry <= 20 && await AddAsync(LatePaymentRefund.OperatorRetryInstanceId(order.PaymentId, retry)); retry++)
        {
        }
        return fromHistory;
    }

    /// <summary>
    /// The timeline's lines of one Durable instance as the engine has it now (null when it has none):
    /// its history's steps where the backend serves them, then its status, custom status and output.
    /// What retention keeps before it purges the instance.
    /// </summary>
    public async Task<KeptInstance?> InstanceAsync(string instanceId, DurableTaskClient durable, CancellationToken ct = default)
    {
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            return null;
        }
        var history = await histories.ReadAsync(instanceId, durable, ct);
        List<TimelineEntry> lines = [.. FromHistory(instanceId, history)];
        lines.Add(new(instance.LastUpdatedAt, instanceId.StartsWith("order-", StringComparison.Ordinal) ? "saga" : "refund",
            $"{instanceId}: {instance.RuntimeStatus}",
            $"custom status {Cut(instance.SerializedCustomStatus)}; output {Cut(instance.SerializedOutput)}"));
        return new KeptInstance(instanceId, lines, history.Count > 0);
    }

    private static IEnumerable<TimelineEntry> FromHistory(string instanceId, IReadOnlyList<SagaHistoryEvent> history)
    {
        var source = instanceId.StartsWith("order-", StringComparison.Ordinal) ? "saga" : "refund";
        var scheduled = new Dictionary<int, string>();
        // A task scheduled again after its last call failed is a retry (the Durable retry policy's, or the saga's own loop).
        var retries = new Dictionary<string, int>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            var task = e.ScheduledId is { } id ? scheduled.GetValueOrDefault(id, "activity") : "activity";
            switch (e.EventType)
            {
                case "ExecutionStarted":
                    yield return new(e.At, source, $"{instanceId}: started {e.Name}", $"input {Cut(e.Input)}");
                    break;
                case "TaskScheduled":
                    var name = e.Name ?? "activity";
                    scheduled[e.EventId] = name;
                    var retry = failed.Remove(name) ? retries[name] = retries.GetValueOrDefault(name) + 1 : 0;
                    yield return new(e.At, source, $"{instanceId}: {name} scheduled" + (retry > 0 ? $" (retry {retry})" : ""), $"input {Cut(e.Input)}{RefundKey(name, e.Input)}");
                    break;
                case "TaskCompleted":
                    yield return new(e.At, source, $"{instanceId}: {task} completed", $"output {Cut(e.Result)}");
                    break;
                case "TaskFailed":
                    failed.Add(task);
                    yield return new(e.At, source, $"{instanceId}: {task} failed", Cut(e.Failure));
                    break;
                case "TimerCreated":
                    yield return new(e.At, source, $"{instanceId}: timer set", $"fires at {e.Result}");
                    break;
                case "TimerFired":
                    yield return new(e.At, source, $"{instanceId}: timer fired", $"set for {e.Result}");
                    break;
                case "EventRaised":
                    yield return new(e.At, source, $"{instanceId}: event {e.Name} received", $"input {Cut(e.Input)}");
                    break;
                case "ExecutionCompleted":
                    yield return new(e.At, source, $"{instanceId}: {e.Name}", $"output {Cut(e.Result)}" + (e.Failure is null ? "" : $"; failure {Cut(e.Failure)}"));
                    break;
                case "ExecutionTerminated":
                    yield return new(e.At, source, $"{instanceId}: terminated", Cut(e.Input));
                    break;
            }
        }
    }

    /// <summary>A refund activity's idempotency key, read from its input.</summary>
    private static string RefundKey(string name, string? input)
    {
        if (name != SagaActivityNames.Refund || input is not { Length: > 0 })
        {
            return "";
        }
        try
        {
            // The worker records an activity's input as a one-element array.
            var refund = input.TrimStart().StartsWith('[')
                ? JsonSerializer.Deserialize<RefundRequest[]>(input, JsonSerializerOptions.Web)?.FirstOrDefault()
                : JsonSerializer.Deserialize<RefundRequest>(input, JsonSerializerOptions.Web);
            return refund is { PaymentId: not null } ? $"; idempotency key {refund.IdempotencyKey()}" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string Cut(string? value) => value is null ? "-" : value.Length > MaxPayloadChars ? value[..MaxPayloadChars] + "…" : value;
}
