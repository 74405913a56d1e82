using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Storage;

namespace Payments.Intake;

/// <summary>
/// Capture and replay of stored callbacks: export them from the inbox as a fixture file (raw body
/// and signature headers), re-verify a fixture file against the current secrets, and replay it into
/// this deployment through intake itself, so the inbox's idempotency holds (a fixture already stored
/// answers as a duplicate and changes nothing).
/// </summary>
public sealed class CallbackCapture(ProviderRegistry providers, InboxStore inbox, CallbackIntake intake, TimeProvider clock)
{
    /// <summary>Stored callbacks are verified before they are stored: the recorded verdict of every export.</summary>
    public const string StoredVerdict = FixtureVerdict.Valid;

    /// <summary>One stored callback as a fixture; null when there is none (or its provider is not configured here).</summary>
    public async Task<CallbackFixture?> ExportOneAsync(string provider, string eventId, CancellationToken ct = default) =>
        await inbox.GetAsync(provider, eventId, ct) is { } entry ? ToFixture(entry) : null;

    /// <summary>Every stored callback the filter matches, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<CallbackFixtureFile> ExportAsync(CallbackFilter filter, int limit, CancellationToken ct = default)
    {
        // The inbox is not in time order: keep the oldest `limit` seen so far (a max-heap on age), so memory holds
        // at most `limit` bodies however many rows the filter scans.
        var oldest = new PriorityQueue<CallbackFixture, CallbackFixture>(Comparer<CallbackFixture>.Create((a, b) => ExportOrder.Compare(b, a)));
        await foreach (var entry in inbox.ListReceivedAsync(filter.Provider, filter.From, filter.To, ct))
        {
            if (limit > 0 && filter.Matches(entry) && ToFixture(entry) is { } fixture)
            {
                if (oldest.Count < limit)
                {
                    oldest.Enqueue(fixture, fixture);
                }
                else if (ExportOrder.Compare(fixture, oldest.Peek()) < 0)
                {
                    oldest.DequeueEnqueue(fixture, fixture);
                }
            }
        }
        return new CallbackFixtureFile(CallbackFixtureFile.CurrentFormat, clock.GetUtcNow(), [.. oldest.UnorderedItems.Select(i => i.Element).Order(ExportOrder)]);
    }

    private static readonly Comparer<CallbackFixture> ExportOrder = Comparer<CallbackFixture>.Create((a, b) =>
    {
        var byTime = a.ReceivedAt.CompareTo(b.ReceivedAt);
        if (byTime != 0)
        {
            return byTime;
        }
        var byProvider = string.CompareOrdinal(a.Provider, b.Provider);
        return byProvider != 0 ? byProvider : string.CompareOrdinal(a.EventId, b.EventId);
    });

    /// <summary>Each fixture checked against the current secrets, now and as of its capture.</summary>
    public IReadOnlyList<FixtureVerdict> Verify(CallbackFixtureFile file) =>
        [.. file.Fixtures.Select(f => new FixtureVerdict(f.Provider, f.EventId, VerdictOf(f), f.RecordedVerdict))];

    /// <summary>
    /// Replays each fixture through intake, its signature timestamp checked as of its capture (the
    /// bytes and headers are the captured ones, so a timestamp-signed callback is stale by now).
    /// The signature must still hold under a current secret.
    /// </summary>
    public async Task<IReadOnlyList<ReplayOutcome>> ReplayAsync(CallbackFixtureFile file, DurableTaskClient durable, CancellationToken ct = default)
    {
        var outcomes = new List<ReplayOutcome>(file.Fixtures.Count);
        foreach (var fixture in file.Fixtures)
        {
            using var span = PipelineTrace.Source.StartActivity(PipelineTrace.Replay);
            span?.SetTag(PipelineTrace.ProviderTag, fixture.Provider);
            span?.SetTag(PipelineTrace.EventIdTag, fixture.EventId);
            using var body = new MemoryStream(fixture.Body, writable: false);
            var result = await intake.AcceptAsync(
                new IncomingCallback(fixture.Provider, new Dictionary<string, string>(fixture.Headers, StringComparer.OrdinalIgnoreCase), body, fixture.Body.Length),
                durable, verifyAt: fixture.ReceivedAt, ct);
            outcomes.Add(Outcome(fixture, result));
        }
        return outcomes;
    }

    private string VerdictOf(CallbackFixture fixture)
    {
        if (providers.Find(fixture.Provider) is not { } provider)
        {
            return FixtureVerdict.UnknownProvider;
        }
        var request = new WebhookRequest(provider.Name, new Dictionary<string, string>(fixture.Headers, StringComparer.OrdinalIgnoreCase), fixture.Body);
        if (provider.Items(request) is not { Count: > 0 } items)
        {
            return FixtureVerdict.Invalid;
        }
        if (items.All(i => provider.Verify(i, clock.GetUtcNow())))
        {
            return FixtureVerdict.Valid;
        }
        return items.All(i => provider.Verify(i, fixture.ReceivedAt)) ? FixtureVerdict.Expired : FixtureVerdict.Invalid;
    }

    private CallbackFixture? ToFixture(InboxEntry entry) =>
        providers.Find(entry.Provider) is { } provider
            ? new CallbackFixture(
                entry.Provider,
                entry.EventId,
                entry.EventType ?? entry.Event?.Kind.ToString(),
                entry.Event?.OrderId,
                entry.ReceivedAt,
                entry.SignatureHeaders,
                provider.RequestBody(entry.Body),
                StoredVerdict,
                entry.State.ToString(),
                provider.Acknowledgement.StatusCode)
            : null;

    private static ReplayOutcome Outcome(CallbackFixture fixture, IntakeResult result) => result switch
    {
        IntakeResult.Acknowledged ok => new(fixture.Provider, fixture.EventId, ok.Reply.StatusCode, ok.Disposition),
        IntakeResult.UnknownProvider => new(fixture.Provider, fixture.EventId, 404, "unknown_provider"),
        IntakeResult.ProviderUnavailable => new(fixture.Provider, fixture.EventId, 503, "provider_unavailable"),
        IntakeResult.ProviderNotConfigured => new(fixture.Provider, fixture.EventId, 503, "provider_not_configured"),
        IntakeResult.TooLarge => new(fixture.Provider, fixture.EventId, 413, "too_large"),
        IntakeResult.Unauthorized => new(fixture.Provider, fixture.EventId, 401, "unauthorized"),
        IntakeResult.Invalid => new(fixture.Provider, fixture.EventId, 400, "invalid"),
        IntakeResult.Unavailable => new(fixture.Provider, fixture.EventId, 503, "unavailable"),
        _ => throw new InvalidOperationException("Unmapped intake result."),
    };
}
