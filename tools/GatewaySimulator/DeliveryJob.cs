namespace GatewaySimulator;

/// <summary>One scheduled POST of a webhook message.</summary>
/// <param name="Attempt">0 for the first try, n for the n-th re-delivery.</param>
/// <param name="IsDuplicate">True for the injected extra copy of an already acknowledged event.</param>
/// <param name="DuplicateDelay">When set, a duplicate is scheduled this long after the event is first acknowledged.</param>
internal sealed record DeliveryJob(WebhookMessage Message, int Attempt, bool IsDuplicate, TimeSpan? DuplicateDelay);
