namespace Payments.Storage;

/// <summary>
/// One delivery of a stored callback and what it was answered: a gateway's post (the first one, or a
/// duplicate), or a retry-lane attempt. Kept on the inbox row for the operator's timeline.
/// </summary>
public sealed record CallbackDelivery(DateTimeOffset At, string Source, string Answer);
