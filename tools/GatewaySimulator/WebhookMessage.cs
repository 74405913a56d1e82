namespace GatewaySimulator;

/// <summary>One webhook event ready to send: its id and body bytes never change across retries and duplicates.</summary>
/// <param name="Sequence">Creation order, used to let a later event overtake a held-back one.</param>
internal sealed record WebhookMessage(long Sequence, string EventId, string Provider, string Type, byte[] Body);
