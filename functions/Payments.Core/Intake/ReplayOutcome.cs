namespace Payments.Intake;

/// <summary>
/// One replayed fixture: the status intake answered and what it did (<c>applied</c>, <c>queued</c>,
/// <c>duplicate</c>, <c>parked</c>, <c>ignored</c>, <c>stored</c>, or the refusal: <c>unauthorized</c>, …).
/// </summary>
public sealed record ReplayOutcome(string Provider, string EventId, int StatusCode, string Disposition);
