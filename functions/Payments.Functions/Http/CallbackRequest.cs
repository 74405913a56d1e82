using Microsoft.AspNetCore.Http;
using Payments.Intake;

namespace Payments.Functions.Http;

/// <summary>Turns an HTTP request into intake's own <see cref="IncomingCallback"/>.</summary>
public static class CallbackRequest
{
    public static IncomingCallback ToIncomingCallback(this HttpRequest request, string provider) => new(
        provider,
        request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        request.Body,
        request.ContentLength);
}
