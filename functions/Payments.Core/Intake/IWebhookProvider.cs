using System.Text;

namespace Payments.Intake;

/// <summary>
/// One gateway's webhook dialect: how its callbacks are signed, what they look like, and what
/// reply it expects. Intake knows nothing provider-specific beyond this interface.
/// </summary>
public interface IWebhookProvider
{
    /// <summary>The route segment: <c>/api/callbacks/{Name}</c>.</summary>
    string Name { get; }

    /// <summary>Headers the signature depends on, kept with the raw body so a callback can be re-verified later.</summary>
    IReadOnlyList<string> SignatureHeaders { get; }

    /// <summary>The success reply the gateway expects for an accepted (or duplicate, or ignored) callback.</summary>
    WebhookAcknowledgement Acknowledgement { get; }

    /// <summary>Checks signature and timestamp over the raw body bytes, exactly as received.</summary>
    bool Verify(WebhookRequest request, DateTimeOffset now);

    ParseOutcome Parse(WebhookRequest request);
}

/// <summary>A callback as received: raw body bytes and the headers the signature needs.</summary>
public sealed record WebhookRequest(string Provider, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var value) ? value : Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>The literal reply a gateway expects on success (Adyen wants <c>[accepted]</c>, Alipay <c>success</c>).</summary>
public sealed record WebhookAcknowledgement(int StatusCode, string ContentType, string Body)
{
    public static WebhookAcknowledgement JsonReceived { get; } = new(200, "application/json", "{\"received\":true}");

    public byte[] BodyBytes() => Encoding.UTF8.GetBytes(Body);
}

/// <summary>The result of parsing a verified callback.</summary>
public abstract record ParseOutcome
{
    private ParseOutcome() { }

    /// <summary>A payment event the pipeline applies.</summary>
    public sealed record Parsed(PaymentEvent Event) : ParseOutcome;

    /// <summary>A well-formed event of a type this pipeline does not act on; acknowledged and kept.</summary>
    public sealed record Ignored(string EventId, string EventType) : ParseOutcome;

    /// <summary>A malformed or invalid payload; each error names the field at fault.</summary>
    public sealed record Invalid(IReadOnlyList<string> Errors) : ParseOutcome;
}
