using System.Text.Unicode;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Intake;

/// <summary>
/// The webhook front door: limit, verify, parse, store once, dispatch. A callback is acknowledged
/// only once it is stored; whatever happens after that can be retried from the inbox. Its storage
/// calls share one time budget (<see cref="IntakeOptions.StorageBudget"/>): when storage does not
/// answer within it, the gateway gets 503 in time to retry.
/// </summary>
public sealed class CallbackIntake(
    ProviderRegistry providers,
    InboxStore inbox,
    DeadLetterStore letters,
    ParkedItems parkedItems,
    MoneyLedger money,
    RefundFollowUp refunds,
    IStoredCallbackDispatch dispatch,
    IOptions<IntakeOptions> options,
    TimeProvider clock,
    ILogger<CallbackIntake> log)
{
    /// <summary>
    /// The signature headers are stored beside the body as JSON text, a Table string property of at
    /// most 32K characters. No gateway's signature headers come near this; even fully JSON-escaped
    /// (six characters each) they fit.
    /// </summary>
    public const int MaxSignatureHeaderChars = 4 * 1024;

    public async Task<IntakeResult> AcceptAsync(IncomingCallback callback, DurableTaskClient durable, CancellationToken ct) =>
        await AcceptAsync(callback, durable, verifyAt: null, ct);

    /// <summary>
    /// Intake with the signature's timestamp checked against <paramref name="verifyAt"/> instead of
    /// now: only for replaying a captured callback (<see cref="CallbackCapture"/>), whose timestamp is
    /// as old as its capture. Signatures are still checked against the current secrets, and the inbox
    /// still takes each (provider, event id) once.
    /// </summary>
    public async Task<IntakeResult> AcceptAsync(IncomingCallback callback, DurableTaskClient durable, DateTimeOffset? verifyAt, CancellationToken ct)
    {
        using var span = PipelineTrace.Source.StartActivity(PipelineTrace.Intake, System.Diagnostics.ActivityKind.Server);
        span?.SetTag(PipelineTrace.ProviderTag, callback.Provider);
        var result = await AcceptVerifiedAtAsync(callback, durable, verifyAt, ct);
        span?.SetTag(PipelineTrace.OutcomeTag, result switch
        {
            IntakeResult.Acknowledged a => a.Disposition,
            _ => result.GetType().Name.ToLowerInvariant(),
        });
        return result;
    }

    private async Task<IntakeResult> AcceptVerifiedAtAsync(IncomingCallback callback, DurableTaskClient durable, DateTimeOffset? verifyAt, CancellationToken ct)
    {
        var providerName = callback.Provider;
        if (providers.Find(providerName) is not { } provider)
        {
            if (providers.NotConfigured.TryGetValue(providerName, out var configuredBy))
            {
                log.ProviderUnavailable(providerName, configuredBy.Problem);
                return new IntakeResult.ProviderNotConfigured(providerName, configuredBy.Key);
            }
            if (providers.Unavailable.TryGetValue(providerName, out var secrets))
            {
                log.ProviderUnavailable(providerName, secrets.Problem);
                return new IntakeResult.ProviderUnavailable(providerName);
            }
            return new IntakeResult.UnknownProvider(providerName);
        }
        var maxBytes = options.Value.MaxBodyBytes;
        var body = await LimitedBody.ReadAsync(callback.Body, callback.ContentLength, maxBytes, ct);
        if (body is null)
        {
            return new IntakeResult.TooLarge(maxBytes);
        }
        // Every gateway posts UTF-8 (JSON, or Alipay's ASCII form): other bytes are malformed before any
        // signature is looked at, and must not reach a JSON reader that throws only when it reads a string.
        if (!Utf8.IsValid(body))
        {
            log.PayloadRejected(provider.Name, 1);
            return new IntakeResult.Invalid(["body: not valid UTF-8."]);
        }

        var headers = provider.SignatureHeaders
            .Where(callback.Headers.ContainsKey)
            .ToDictionary(h => h, h => callback.Headers[h], StringComparer.OrdinalIgnoreCase);
        var webhook = new WebhookRequest(provider.Name, headers, body);
        if (headers.Sum(h => h.Key.Length + h.Value.Length) > MaxSignatureHeaderChars || provider.Items(webhook) is not { Count: > 0 } items)
        {
            log.SignatureRejected(provider.Name);
            return new IntakeResult.Unauthorized();
        }
        using var budget = new StorageBudget(options.Value.StorageBudget, clock, ct);
        if (items.Count == 1)
        {
            return await AcceptItemAsync(provider, items[0], durable, verifyAt, budget);
        }

        // A batch (Adyen): each item verified, parsed and stored on its own, so one bad item costs
        // only itself. The reply is the worst item's: the gateway then redelivers the whole batch,
        // whose stored items the inbox absorbs as duplicates while the bad one is refused again.
        var results = new List<IntakeResult>(items.Count);
        foreach (var item in items)
        {
            var result = await AcceptItemAsync(provider, item, durable, verifyAt, budget);
            if (result is IntakeResult.Unavailable)
            {
                // Storage is down (or the batch's one budget is spent): the rest would wait past the gateway's deadline.
                return result;
            }
            results.Add(result);
        }
        return Combine(results);
    }

    /// <summary>One callback: verify, parse, store once, dispatch.</summary>
    private async Task<IntakeResult> AcceptItemAsync(IWebhookProvider provider, WebhookRequest webhook, DurableTaskClient durable, DateTimeOffset? verifyAt, StorageBudget budget)
    {
        if (!provider.Verify(webhook, verifyAt ?? clock.GetUtcNow()))
        {
            log.SignatureRejected(provider.Name);
            return new IntakeResult.Unauthorized();
        }

        var parsed = provider.Parse(webhook);
        if (parsed is ParseOutcome.Invalid invalid)
        {
            log.PayloadRejected(provider.Name, invalid.Errors.Count);
            return new IntakeResult.Invalid(invalid.Errors);
        }
        if (parsed is ParseOutcome.Parsed { Event.OrderId: "" } orphan)
        {
            try
            {
                parsed = await FindOrderAsync(provider.Name, orphan.Event, budget.Token);
            }
            catch (Exception ex) when (budget.MeansUnavailable(ex))
            {
                return Unavailable(ex, provider.Name, orphan.Event.EventId, budget);
            }
        }

        var (eventId, paymentEvent, eventType, state) = parsed switch
        {
            ParseOutcome.Parsed p => (p.Event.EventId, p.Event, (string?)null, InboxState.Received),
            ParseOutcome.Ignored i => (i.EventId, (PaymentEvent?)null, i.EventType, InboxState.Ignored),
            ParseOutcome.Parked k => (k.EventId, (PaymentEvent?)null, k.EventType, InboxState.Parked),
            _ => throw new InvalidOperationException("Unexpected parse outcome."),
        };
        System.Diagnostics.Activity.Current?.SetTag(PipelineTrace.EventIdTag, eventId);
        if (paymentEvent is not null)
        {
            System.Diagnostics.Activity.Current?.SetTag(PipelineTrace.OrderIdTag, paymentEvent.OrderId);
        }

        OrderRowLook? looked;
        InboxEntry entry;
        InboxAddResult added;
        try
        {
            // A running saga gets the event before the callback is stored, so the row is stored already applied
            // and needs no mark after the raise (PaymentDispatch.RaiseBeforeStoringAsync says why that is safe,
            // a raise followed by a 503 included: the gateway's redelivery is raised again and is a duplicate to the saga).
            looked = paymentEvent is null ? null : await LookBeforeStoringAsync(paymentEvent, durable, budget);
            if (looked == OrderRowLook.RaisedToRunningSaga)
            {
                state = PaymentDispatch.StateAfterRaise(paymentEvent!.Kind);
            }
            var receivedAt = clock.GetUtcNow();
            entry = new InboxEntry(provider.Name, eventId, webhook.Body, webhook.Headers, receivedAt, state, paymentEvent, eventType,
                [new CallbackDelivery(receivedAt, FromGateway, "200 stored")]);

            // The letter first: a gateway retry after a failure between the two writes parks nothing twice
            // (same letter id) and still stores the callback, while the reverse order could store it unparked.
            if (parsed is ParseOutcome.Parked park)
            {
                await ParkAsync(provider.Name, eventId, park, budget.Token);
            }
            // One entity-group transaction (the row and its index row): a callback answered 503 because the
            // budget ran out mid-insert is either absent or stored whole, and its redelivery is a duplicate.
            using var inboxSpan = PipelineTrace.Source.StartActivity(PipelineTrace.InboxAdd);
            added = await inbox.TryAddAsync(entry, budget.Token);
            inboxSpan?.SetTag(PipelineTrace.OutcomeTag, added.ToString());
        }
        catch (Exception ex) when (budget.MeansUnavailable(ex))
        {
            return Unavailable(ex, provider.Name, eventId, budget);
        }

        // Stored: acknowledged from here on, whatever the budget has left for the note or the dispatch.
        if (added == InboxAddResult.Duplicate)
        {
            log.Duplicate(provider.Name, eventId);
            await NoteDuplicateAsync(provider.Name, eventId, entry.ReceivedAt, budget);
            return new IntakeResult.Acknowledged(provider.Acknowledgement, "duplicate");
        }
        if (parsed is ParseOutcome.Parked parked)
        {
            log.CallbackParked(provider.Name, eventId, parked.EventType, parked.OrderId ?? "unknown", parked.Reason);
            return new IntakeResult.Acknowledged(provider.Acknowledgement, "parked");
        }
        if (paymentEvent is null)
        {
            log.Ignored(provider.Name, eventId, eventType);
            return new IntakeResult.Acknowledged(provider.Acknowledgement, "ignored");
        }
        var disposition = looked switch
        {
            OrderRowLook.RaisedToRunningSaga => "applied",
            { } look => await DispatchStoredAsync(entry, paymentEvent, look, durable, budget),
            null => "stored",
        };
        return new IntakeResult.Acknowledged(provider.Acknowledgement, disposition);
    }

    /// <summary>Storage is down, or did not answer within the budget: nothing of this callback is acknowledged, the gateway retries.</summary>
    private IntakeResult.Unavailable Unavailable(Exception ex, string provider, string eventId, StorageBudget budget)
    {
        if (budget.Spent)
        {
            log.StorageBudgetSpent(provider, eventId, budget.Length);
        }
        else
        {
            log.InboxUnavailable(ex, provider, eventId);
        }
        return new IntakeResult.Unavailable();
    }

    /// <summary>A callback parked at intake: its dead letter and, for a refund that failed after it was accepted, the operator's item.</summary>
    private async Task ParkAsync(string provider, string eventId, ParseOutcome.Parked park, CancellationToken ct)
    {
        await letters.ParkAsync(IntakeLetter(provider, park), ct);
        // A refund the gateway failed after accepting it: the operator's refund retry
        // (POST /api/ops/refunds/{key}/retry) asks for it again under the next attempt's key. Parked
        // once per event: a redelivery (or a replay) must not reopen an item an operator resolved.
        var detail = $"{park.EventType} {eventId}: {park.Reason}";
        // The money ledger's refund, when it has it, is marked failed and parked with its retry from what it recorded.
        if (park.Refund is { Attempt: > 0 } refund
            && await refunds.ObserveAsync(refund.OrderId, (refund with { Attempt = refund.Attempt - 1 }).IdempotencyKey(), RefundState.Failed, "notice", detail: detail, ct: ct) is null
            && (await parkedItems.GetAsync(ParkedKinds.RefundFailed, LatePaymentRefund.InstanceId(refund.PaymentId), ct))?.Detail != detail)
        {
            await parkedItems.ParkAsync(new ParkRequest(refund.OrderId, ParkedKinds.RefundFailed,
                $"The refund of {refund.AmountMinor} {refund.Currency} ({refund.Reason}) failed at {provider} after it was accepted; retry it.",
                detail, refund, LatePaymentRefund.InstanceId(refund.PaymentId)), ct);
        }
    }

    /// <summary>
    /// A notice that names no order (WeChat Pay's refund notices, a Stripe Dashboard refund) belongs to
    /// the order whose capture of that payment the money ledger recorded; with none, it is kept and
    /// parked for an operator rather than applied to a guess.
    /// </summary>
    private async Task<ParseOutcome> FindOrderAsync(string provider, PaymentEvent orphan, CancellationToken ct) =>
        await money.FindOrderAsync(provider, orphan.PaymentId, ct) is { } orderId
            ? new ParseOutcome.Parsed(orphan with { OrderId = orderId })
            : new ParseOutcome.Parked(orphan.EventId, orphan.Kind.ToString(),
                $"a {orphan.Kind} notice for payment {orphan.PaymentId}, of which the money ledger has no capture: applied to no order.");

    /// <summary>
    /// The look at the order's row (and the raise to its running saga) before storing; null when it
    /// failed: the callback is then stored unapplied and left to the outbox relay, as when a dispatch
    /// after storing fails (an outage of storage itself then fails the insert too, and the gateway retries).
    /// A look cut short by the budget is not a failed look: the insert would find no time left, so it throws.
    /// </summary>
    private async Task<OrderRowLook?> LookBeforeStoringAsync(PaymentEvent paymentEvent, DurableTaskClient durable, StorageBudget budget)
    {
        try
        {
            return await dispatch.RaiseBeforeStoringAsync(durable, paymentEvent, budget.Token);
        }
        catch (Exception ex) when (!budget.Token.IsCancellationRequested)
        {
            log.DispatchFailed(ex, paymentEvent.Provider, paymentEvent.EventId, paymentEvent.OrderId);
            return null;
        }
    }

    /// <summary>
    /// A refusal in the provider's own dialect, or null for the caller's default (problem+json); null
    /// too for a provider that is unknown or unavailable, as there is no dialect to ask.
    /// </summary>
    public WebhookAcknowledgement? RefusalFor(string provider, int statusCode, string message) =>
        providers.Find(provider)?.Refusal(statusCode, message);

    /// <summary>
    /// A batch's reply: a bad signature (401) before a bad payload (400); acknowledged only when every
    /// item was stored, duplicate or ignored.
    /// </summary>
    private static IntakeResult Combine(IReadOnlyList<IntakeResult> results)
    {
        if (results.OfType<IntakeResult.Unauthorized>().FirstOrDefault() is { } unauthorized)
        {
            return unauthorized;
        }
        var invalid = results.Select((r, i) => (Result: r, Index: i)).Where(r => r.Result is IntakeResult.Invalid).ToArray();
        if (invalid.Length > 0)
        {
            return new IntakeResult.Invalid([.. invalid.SelectMany(r => ((IntakeResult.Invalid)r.Result).Errors.Select(e => $"item {r.Index}: {e}"))]);
        }
        var acknowledged = results.Cast<IntakeResult.Acknowledged>().ToArray();
        return new IntakeResult.Acknowledged(acknowledged[0].Reply, string.Join(',', acknowledged.Select(a => a.Disposition).Distinct()));
    }

    /// <summary>
    /// The dead letter an operator sees for a parked callback (<c>GET /api/ops/dead-letters</c>): it
    /// names the stored callback, whose raw body stays in the inbox; discarding it settles the callback.
    /// </summary>
    private ParkedLetter IntakeLetter(string provider, ParseOutcome.Parked parked) => new(
        $"intake-{provider}-{parked.EventId}", provider, parked.EventId, parked.OrderId, ParkedReason, $"{parked.EventType}: {parked.Reason}",
        Attempts: 0, LetterStatus.Parked, clock.GetUtcNow(), Resolution: null, ResolvedAt: null, RawBody: null);

    /// <summary>The source of a delivery posted by the gateway (beside the retry lane's attempts).</summary>
    public const string FromGateway = "gateway";

    /// <summary>
    /// Notes a duplicate delivery on the stored callback for the operator's timeline. Only a record:
    /// the duplicate is acknowledged whether or not the note could be written.
    /// </summary>
    private async Task NoteDuplicateAsync(string provider, string eventId, DateTimeOffset at, StorageBudget budget)
    {
        try
        {
            await inbox.NoteDeliveryAsync(provider, eventId, new CallbackDelivery(at, FromGateway, "200 duplicate"), budget.Token);
        }
        catch (Exception ex) when (budget.MeansUnavailable(ex))
        {
            log.DeliveryNotNoted(ex, provider, eventId);
        }
    }

    /// <summary>The dead-letter reason of a callback parked at intake.</summary>
    public const string ParkedReason = "parked_at_intake";

    /// <summary>
    /// Dispatch after storing, on what is left of the budget; a failure here, or a dispatch the budget
    /// cuts short, is not the gateway's problem: the callback is stored, so it is acknowledged, and the
    /// outbox relay re-dispatches it (a dispatch cut short anywhere is one that crashed there).
    /// </summary>
    private async Task<string> DispatchStoredAsync(InboxEntry entry, PaymentEvent paymentEvent, OrderRowLook looked, DurableTaskClient durable, StorageBudget budget)
    {
        try
        {
            // An unknown order: the callback may have outrun its order's registration and waits on the lane.
            return await dispatch.ApplyStoredOrDeferAsync(durable, entry, looked, budget.Token) == DispatchResult.UnknownOrder ? "queued" : "applied";
        }
        catch (Exception ex) when (!budget.Request.IsCancellationRequested)
        {
            if (budget.Spent)
            {
                log.DispatchLeftToRelay(paymentEvent.Provider, paymentEvent.EventId, paymentEvent.OrderId, budget.Length);
            }
            else
            {
                log.DispatchFailed(ex, paymentEvent.Provider, paymentEvent.EventId, paymentEvent.OrderId);
            }
            return "stored";
        }
    }
}
