namespace Payments.Gateway;

/// <summary>A callback as received: raw body bytes and the headers the signature needs.</summary>
public sealed record WebhookRequest(string Provider, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var value) ? value : Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
