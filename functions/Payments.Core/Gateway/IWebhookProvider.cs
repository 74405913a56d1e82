namespace Payments.Gateway;

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

    /// <summary>
    /// The reply to a refused callback in the gateway's own dialect (WeChat Pay wants
    /// <c>{"code":"FAIL","message":…}</c>), or null for the pipeline's problem+json. Intake decides the
    /// status code and a message without detail; the provider only shapes the body.
    /// </summary>
    WebhookAcknowledgement? Refusal(int statusCode, string message) => null;

    /// <summary>
    /// The callbacks one request carries, each verified, parsed and stored on its own: the request
    /// itself, unless the gateway batches (Adyen's standard webhooks put several items in one POST,
    /// each signed). Null when the body is no batch at all, so nothing in it can be verified.
    /// </summary>
    IReadOnlyList<WebhookRequest>? Items(WebhookRequest request) => [request];

    /// <summary>
    /// The request body that carries one stored callback (<see cref="Items"/> in reverse), for capture
    /// and replay: the stored body itself, unless the gateway batches, when it is a one-item batch
    /// around the item's bytes as received.
    /// </summary>
    byte[] RequestBody(byte[] storedBody) => storedBody;

    /// <summary>Checks signature and timestamp over the raw body bytes, exactly as received.</summary>
    bool Verify(WebhookRequest request, DateTimeOffset now);

    ParseOutcome Parse(WebhookRequest request);
}
