using System.Text.Json.Serialization;

namespace Payments.Intake;

/// <summary>
/// One captured callback, enough to verify and replay it anywhere: the provider, the headers its
/// signature needs, and the body bytes exactly as posted (base64). For every provider but Adyen the
/// body is the request as received; an Adyen item (stored on its own) is wrapped in a one-item
/// <c>notificationItems</c> batch whose item bytes are the ones received, so the fixture is always
/// a request intake takes as it is. The recorded fields say what this deployment made of it.
/// </summary>
/// <param name="Provider">The route segment: <c>POST /api/callbacks/{Provider}</c>.</param>
/// <param name="EventId">The inbox key within the provider.</param>
/// <param name="EventType">The gateway's event type, when the callback was not a payment event the pipeline applies.</param>
/// <param name="OrderId">The order the callback names, when it was parsed into a payment event.</param>
/// <param name="ReceivedAt">When intake stored it; signatures with a timestamp are verified as of this time on replay.</param>
/// <param name="Headers">The headers the provider's signature needs (never a secret).</param>
/// <param name="Body">The request body to post.</param>
/// <param name="RecordedVerdict">The signature verdict when it was received (stored callbacks all passed: <c>valid</c>).</param>
/// <param name="RecordedState">The inbox state when it was exported (Dispatched, Queued, Parked, Ignored, …).</param>
/// <param name="RecordedAnswer">The HTTP status intake answered (the provider's acknowledgement).</param>
public sealed record CallbackFixture(
    string Provider,
    string EventId,
    string? EventType,
    string? OrderId,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("bodyBase64")] byte[] Body,
    string RecordedVerdict,
    string RecordedState,
    int RecordedAnswer);
