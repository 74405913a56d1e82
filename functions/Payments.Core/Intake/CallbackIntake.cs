using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Intake;

/// <summary>
/// The webhook front door: limit, verify, parse, store once, dispatch. A callback is acknowledged
/// only once it is stored; whatever happens after that can be retried from the inbox.
/// </summary>
public sealed class CallbackIntake(
    ProviderRegistry providers,
    InboxStore inbox,
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

    public async Task<IntakeResult> AcceptAsync(IncomingCallback callback, DurableTaskClient durable, CancellationToken ct)
    {
        var providerName = callback.Provider;
        if (providers.Find(providerName) is not { } provider)
        {
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

        var headers = provider.SignatureHeaders
            .Where(callback.Headers.ContainsKey)
            .ToDictionary(h => h, h => callback.Headers[h], StringComparer.OrdinalIgnoreCase);
        var webhook = new WebhookRequest(provider.Name, headers, body);
        if (headers.Sum(h => h.Key.Length + h.Value.Length) > MaxSignatureHeaderChars || !provider.Verify(webhook, clock.GetUtcNow()))
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

        var (eventId, paymentEvent, eventType) = parsed switch
        {
            ParseOutcome.Parsed p => (p.Event.EventId, p.Event, (string?)null),
            ParseOutcome.Ignored i => (i.EventId, (PaymentEvent?)null, i.EventType),
            _ => throw new InvalidOperationException("Unexpected parse outcome."),
        };
        var entry = new InboxEntry(provider.Name, eventId, body, headers, clock.GetUtcNow(),
            paymentEvent is null ? InboxState.Ignored : InboxState.Received, paymentEvent, eventType);

        InboxAddResult added;
        try
        {
            added = await inbox.TryAddAsync(entry, ct);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex) && !ct.IsCancellationRequested)
        {
            log.InboxUnavailable(ex, provider.Name, eventId);
            return new IntakeResult.Unavailable();
        }

        if (added == InboxAddResult.Duplicate)
        {
            log.Duplicate(provider.Name, eventId);
            return new IntakeResult.Acknowledged(provider.Acknowledgement, "duplicate");
        }
        if (paymentEvent is null)
        {
            log.Ignored(provider.Name, eventId, eventType);
            return new IntakeResult.Acknowledged(provider.Acknowledgement, "ignored");
        }
        return new IntakeResult.Acknowledged(provider.Acknowledgement, await DispatchStoredAsync(paymentEvent, durable, ct));
    }

    /// <summary>
    /// A refusal in the provider's own dialect, or null for the caller's default (problem+json); null
    /// too for a provider that is unknown or unavailable, as there is no dialect to ask.
    /// </summary>
    public WebhookAcknowledgement? RefusalFor(string provider, int statusCode, string message) =>
        providers.Find(provider)?.Refusal(statusCode, message);

    /// <summary>Dispatch after storing; a failure here is not the gateway's problem: the outbox relay re-dispatches.</summary>
    private async Task<string> DispatchStoredAsync(PaymentEvent paymentEvent, DurableTaskClient durable, CancellationToken ct)
    {
        try
        {
            // An unknown order: the callback may have outrun its order's registration and waits on the lane.
            return await dispatch.ApplyStoredOrDeferAsync(durable, paymentEvent, ct) == DispatchResult.UnknownOrder ? "queued" : "applied";
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.DispatchFailed(ex, paymentEvent.Provider, paymentEvent.EventId, paymentEvent.OrderId);
            return "stored";
        }
    }
}
