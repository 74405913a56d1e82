namespace Payments.Intake;

/// <summary>
/// A callback as the host received it, before anything is read: the route's provider, the request
/// headers (looked up case-insensitively), the unread body and its declared length. The function
/// class builds it from the HTTP request, so the core needs no web framework.
/// </summary>
public sealed record IncomingCallback(string Provider, IReadOnlyDictionary<string, string> Headers, Stream Body, long? ContentLength);
